// battle.js — /ui/battle.html?id=N: a queued battle is polled until the
// worker has applied it; a done battle's report is replayed turn by turn:
// both hit point bars, dodges, each striker's attack value shrinking as its
// hit points fall, and at the end the gold and silver that moved.
import {request} from "./api.js";
import {startPage} from "./page.js";
import {el, replace, errorBox, showError, formatNumber, timeElement, playerHref, queryInteger} from "./dom.js";
import {playerNames} from "./names.js";
import {replayStates} from "./replay.js";

const TURN_MS = 900;
const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

startPage({render(main) {
	const id = queryInteger("id");
	if (id === null) {
		replace(main, el("h1", {}, "Battle"), errorBox({message: "This page needs a battle id: /ui/battle.html?id=N."}));
		return null;
	}
	let stopped = false;
	let pollTimer = null;
	let playTimer = null;
	let polls = 0;
	let drawnState = "";
	const names = playerNames();

	const status = el("p", {class: "battle-status", id: "battle-status", role: "status"}, "Loading…");
	const error = errorBox(null);
	const meta = el("div", {class: "battle-meta", id: "battle-meta"});
	const arena = el("div", {class: "replay", id: "replay"});
	replace(main, el("h1", {}, `Battle #${id}`), status, error, meta, arena);

	async function load() {
		pollTimer = null;
		try {
			const {body: battle} = await request("GET", `/battles/${id}`);
			if (stopped)
				return;
			showError(error, null);
			await names.load([battle.attacker_id, battle.defender_id]);
			if (stopped)
				return;
			// Drawn again only when the battle changed (a poll keeps focus).
			const state = JSON.stringify(battle);
			if (state !== drawnState) {
				drawnState = state;
				drawMeta(battle);
			}
			if (battle.status === "done") {
				status.textContent = "Done.";
				status.dataset.state = "done";
				drawReplay(battle);
				return;
			}
			status.dataset.state = battle.status;
			status.textContent = "Queued: waiting for the battle worker…";
			if (!arena.firstChild)
				drawQueued(battle);
		} catch (failure) {
			if (stopped)
				return;
			showError(error, failure);
			if (failure.status === 404 || failure.status === 401 || failure.status === 403)
				return;
		}
		// Every second at first, then every 5 s.
		polls++;
		pollTimer = setTimeout(load, polls < 20 ? 1000 : 5000);
	}

	function nameLink(playerId) {
		return el("a", {href: playerHref(playerId)}, names.get(playerId));
	}

	function drawMeta(battle) {
		replace(meta, el("dl", {class: "facts"},
			el("div", {}, el("dt", {}, "Attacker"), el("dd", {}, nameLink(battle.attacker_id))),
			el("div", {}, el("dt", {}, "Defender"), el("dd", {}, nameLink(battle.defender_id))),
			el("div", {}, el("dt", {}, "Submitted"), el("dd", {}, timeElement(battle.submitted_at))),
			battle.processed_at ? el("div", {}, el("dt", {}, "Processed"), el("dd", {}, timeElement(battle.processed_at))) : null,
			battle.seed ? el("div", {}, el("dt", {}, "Seed"), el("dd", {}, el("code", {}, battle.seed))) : null));
	}

	function drawQueued(battle) {
		replace(arena, el("p", {class: "queued-note"},
			`${names.get(battle.attacker_id)} has challenged ${names.get(battle.defender_id)}. `,
			"This page updates by itself when the battle has been fought."));
	}

	function fighterPanel(role, participant) {
		const fill = el("div", {class: "hp-fill"});
		const panel = {
			hpText: el("span", {class: "hp-text"}),
			attackText: el("span", {class: "attack-text"}),
			event: el("span", {class: "event", "aria-hidden": "true"}),
			fill,
			bar: el("div", {class: "hp-bar", role: "meter", "aria-valuemin": 0,
				"aria-valuemax": participant.hit_points, "aria-label": `${names.get(participant.player_id)}'s hit points`}, fill),
		};
		panel.root = el("section", {class: `fighter ${role}`, id: `fighter-${role}`, "aria-label": `${role}: ${names.get(participant.player_id)}`},
			el("div", {class: "fighter-head"},
				el("h2", {}, nameLink(participant.player_id)),
				el("span", {class: "role"}, role === "attacker" ? "Attacker" : "Defender")),
			panel.bar,
			el("div", {class: "fighter-stats"}, panel.hpText, panel.attackText,
				el("span", {class: "luck-text"}, `Luck ${participant.luck}%`)),
			panel.event);
		return panel;
	}

	function drawReplay(battle) {
		const states = replayStates(battle);
		const {attacker, defender} = battle.participants;
		const panels = {attacker: fighterPanel("attacker", attacker), defender: fighterPanel("defender", defender)};
		const base = {attacker: attacker.attack, defender: defender.attack};
		const max = {attacker: attacker.hit_points, defender: defender.hit_points};
		let index = 0;

		const counter = el("span", {class: "turn-counter", id: "turn-counter"});
		const narration = el("p", {class: "narration", id: "turn-narration", "aria-live": "polite"});
		const log = el("ol", {class: "turn-log", id: "turn-log"});
		const outcome = el("section", {class: "outcome", id: "outcome", "aria-labelledby": "outcome-title", hidden: true});
		const button = (label, idName, action) => el("button", {type: "button", class: "secondary", id: idName, onclick: action}, label);
		const play = el("button", {type: "button", id: "replay-play"}, "Play");
		const controls = el("div", {class: "replay-controls", role: "group", "aria-label": "Replay"},
			button("Restart", "replay-restart", () => { pause(); show(0); }),
			button("Back", "replay-back", () => { pause(); show(index - 1); }),
			play,
			button("Forward", "replay-forward", () => { pause(); show(index + 1); }),
			button("End", "replay-end", () => { pause(); show(states.length - 1); }),
			counter);

		function describe(state) {
			const turn = state.turn;
			const striker = names.get(turn.striker_id);
			const target = names.get(turn.target_id);
			return turn.missed
				? `Turn ${turn.n}: ${striker} strikes with attack ${turn.attack}; ${target} dodges.`
				: `Turn ${turn.n}: ${striker} hits ${target} for ${turn.damage} (attack ${turn.attack}); ${target} has ${turn.target_hp} hit points left.`;
		}

		function show(newIndex) {
			index = Math.max(0, Math.min(states.length - 1, newIndex));
			const state = states[index];
			for (const role of ["attacker", "defender"]) {
				const panel = panels[role];
				const hp = state.hp[role];
				panel.fill.style.width = `${(100 * hp) / max[role]}%`;
				panel.fill.classList.toggle("low", hp <= max[role] / 4);
				panel.bar.setAttribute("aria-valuenow", hp);
				panel.bar.setAttribute("aria-valuetext", `${hp} of ${max[role]} hit points`);
				panel.hpText.textContent = `${hp} / ${max[role]} HP`;
				panel.attackText.textContent = state.attack[role] < base[role]
					? `Attack ${state.attack[role]} (of ${base[role]})`
					: `Attack ${state.attack[role]}`;
				panel.root.classList.toggle("striking", state.striker === role);
				panel.root.classList.toggle("struck", state.target === role && !state.turn.missed);
				panel.root.classList.toggle("dodged", state.target === role && state.turn.missed);
				panel.root.classList.toggle("defeated", hp === 0);
				panel.event.textContent = state.target === role
					? (state.turn.missed ? "Dodged!" : `−${state.turn.damage}`)
					: "";
			}
			counter.textContent = `Turn ${index} of ${states.length - 1}`;
			narration.textContent = index === 0
				? `${names.get(attacker.player_id)} (attacker) and ${names.get(defender.player_id)} (defender) start at full hit points.`
				: describe(state);
			replace(log, states.slice(1, index + 1).map((s) =>
				el("li", {class: s.turn.missed ? "missed" : "hit"}, describe(s))));
			outcome.hidden = index !== states.length - 1;
			for (const [name, disabled] of [["replay-restart", index === 0], ["replay-back", index === 0],
				["replay-forward", index === states.length - 1], ["replay-end", index === states.length - 1]])
				controls.querySelector(`#${name}`).disabled = disabled;
		}

		function pause() {
			if (playTimer) {
				clearInterval(playTimer);
				playTimer = null;
			}
			play.textContent = "Play";
		}

		function start() {
			if (index === states.length - 1)
				show(0);
			play.textContent = "Pause";
			playTimer = setInterval(() => {
				if (index >= states.length - 1) {
					pause();
					return;
				}
				show(index + 1);
			}, TURN_MS);
		}

		play.addEventListener("click", () => (playTimer ? pause() : start()));

		const winner = battle.winner_id === attacker.player_id ? attacker : defender;
		const loser = winner === attacker ? defender : attacker;
		replace(outcome,
			el("h2", {id: "outcome-title"}, `${names.get(winner.player_id)} wins`),
			el("p", {id: "outcome-transfer"},
				`${names.get(loser.player_id)} loses ${battle.percent_stolen}% of its gold and silver: `,
				el("strong", {}, `${formatNumber(battle.gold_stolen)} gold`), " and ",
				el("strong", {}, `${formatNumber(battle.silver_stolen)} silver`),
				` move to ${names.get(winner.player_id)}, whose score rises by ${formatNumber(battle.score_awarded)}.`),
			el("table", {class: "balances"},
				el("caption", {class: "visually-hidden"}, "Balances before and after the battle"),
				el("thead", {}, el("tr", {},
					el("th", {scope: "col"}, "Player"),
					el("th", {scope: "col", class: "num"}, "Gold before"),
					el("th", {scope: "col", class: "num"}, "Gold after"),
					el("th", {scope: "col", class: "num"}, "Silver before"),
					el("th", {scope: "col", class: "num"}, "Silver after"))),
				el("tbody", {}, [attacker, defender].map((p) => el("tr", {},
					el("th", {scope: "row"}, names.get(p.player_id)),
					el("td", {class: "num"}, formatNumber(p.gold_before)),
					el("td", {class: "num"}, formatNumber(p.gold_after)),
					el("td", {class: "num"}, formatNumber(p.silver_before)),
					el("td", {class: "num"}, formatNumber(p.silver_after)))))));

		replace(arena,
			el("div", {class: "fighters"}, panels.attacker.root, el("span", {class: "versus", "aria-hidden": "true"}, "vs"), panels.defender.root),
			controls,
			narration,
			outcome,
			el("h2", {class: "log-title"}, "Turns"),
			log);
		if (reducedMotion.matches) {
			show(states.length - 1);
		} else {
			show(0);
			start();
		}
	}

	load();
	return () => {
		stopped = true;
		clearTimeout(pollTimer);
		clearInterval(playTimer);
	};
}});
