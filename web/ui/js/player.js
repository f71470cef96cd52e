// player.js — /ui/player.html?id=N: a player's stats, balances, score and
// rank, the battle history paged (each battle linking to its report), and
// for a signed-in player on someone else's page the Fight button.
import {request, newIdempotencyKey} from "./api.js";
import {startPage} from "./page.js";
import {el, replace, errorBox, showError, formatNumber, timeElement, playerHref, battleHref, queryInteger} from "./dom.js";
import {playerNames} from "./names.js";

const BATTLES_PER_PAGE = 10;

startPage({render(main, session) {
	const id = queryInteger("id");
	if (id === null) {
		replace(main, el("h1", {}, "Player"), errorBox({message: "This page needs a player id: /ui/player.html?id=N."}));
		return null;
	}
	let battleOffset = 0;
	let stopped = false;
	const names = playerNames();

	const heading = el("h1", {id: "player-name"}, `Player #${id}`);
	const error = errorBox(null);
	const profile = el("section", {class: "profile", "aria-labelledby": "player-name"});
	const fightArea = el("div", {class: "fight", id: "fight-area"});
	const battlesError = errorBox(null);
	const battlesBody = el("tbody", {id: "battle-rows"});
	const battlesSummary = el("p", {class: "summary", id: "battles-summary"});
	const previous = el("button", {type: "button", class: "secondary", id: "battles-previous"}, "Newer");
	const next = el("button", {type: "button", class: "secondary", id: "battles-next"}, "Older");
	const position = el("span", {class: "position", id: "battles-position"});

	replace(main,
		el("div", {class: "title-row"}, heading, fightArea),
		error,
		profile,
		el("section", {"aria-labelledby": "battles-title"},
			el("h2", {id: "battles-title"}, "Battles"),
			battlesSummary,
			battlesError,
			el("div", {class: "table-wrap"},
				el("table", {class: "battles stacked", id: "battles"},
					el("caption", {class: "visually-hidden"}, "This player's battles, newest first"),
					el("thead", {}, el("tr", {},
						el("th", {scope: "col"}, "Battle"),
						el("th", {scope: "col"}, "Submitted"),
						el("th", {scope: "col"}, "Role"),
						el("th", {scope: "col"}, "Opponent"),
						el("th", {scope: "col"}, "Result"),
						el("th", {scope: "col", class: "num"}, "Gold"),
						el("th", {scope: "col", class: "num"}, "Silver"),
						el("th", {scope: "col", class: "num"}, "Score"))),
					battlesBody)),
			el("div", {class: "pager"}, el("div", {class: "pager-buttons"}, previous, next), position)));

	function stat(label, value, key) {
		return el("div", {class: "stat", "data-stat": key}, el("dt", {}, label), el("dd", {}, value));
	}

	async function loadProfile() {
		try {
			const [{body: player}, rank] = await Promise.all([
				request("GET", `/players/${id}`),
				request("GET", `/leaderboard?around=${id}&limit=1`).then(({body}) => body, () => null),
			]);
			if (stopped)
				return;
			names.remember(player.id, player.name);
			document.title = `${player.name} — Platform Test`;
			heading.textContent = player.name;
			const entry = rank && rank.entries.find((e) => e.player_id === id);
			replace(profile,
				el("p", {class: "joined", id: "player-joined"}, `Player #${player.id}, joined `, timeElement(player.created_at)),
				player.description ? el("p", {class: "description", id: "player-description"}, player.description) : null,
				el("dl", {class: "stats"},
					stat("Score", formatNumber(player.score), "score"),
					stat("Rank", entry ? `${formatNumber(entry.rank)} of ${formatNumber(rank.total)}` : "—", "rank"),
					stat("Gold", formatNumber(player.gold), "gold"),
					stat("Silver", formatNumber(player.silver), "silver"),
					stat("Attack", formatNumber(player.attack), "attack"),
					stat("Hit points", formatNumber(player.hit_points), "hit_points"),
					stat("Luck (dodge)", `${player.luck}%`, "luck")));
			drawFight(player);
		} catch (failure) {
			if (!stopped)
				showError(error, failure);
		}
	}

	function drawFight(player) {
		if (session.kind !== "player") {
			replace(fightArea);
			return;
		}
		if (player.id === session.player_id) {
			replace(fightArea, el("p", {class: "you-note"}, "This is you."));
			return;
		}
		const status = el("p", {class: "fight-status", role: "status", id: "fight-status"});
		const fightError = errorBox(null);
		const button = el("button", {type: "button", id: "fight", class: "fight-button"}, `Fight ${player.name}`);
		button.addEventListener("click", () => fight(player, button, status, fightError));
		replace(fightArea, button, status, fightError);
	}

	// One click, one Idempotency-Key: the button is disabled at once, so a
	// double click sends one request; a retry after a network failure or a
	// 5xx reuses the key, so it cannot queue a second battle.
	async function fight(player, button, status, fightError) {
		if (button.disabled)
			return;
		button.disabled = true;
		showError(fightError, null);
		status.textContent = `Submitting a battle against ${player.name}…`;
		const key = newIdempotencyKey();
		let lastError = null;
		for (let attempt = 0; attempt < 3; attempt++) {
			try {
				const {body: battle} = await request("POST", "/battles", {
					json: {attacker_id: session.player_id, defender_id: player.id},
					headers: {"Idempotency-Key": key},
				});
				status.textContent = `Battle #${battle.id} queued; opening its report…`;
				location.assign(battleHref(battle.id));
				return;
			} catch (failure) {
				lastError = failure;
				if (!(failure.status === 0 || failure.status >= 502))
					break;
				await new Promise((resolve) => setTimeout(resolve, 500 * (attempt + 1)));
			}
		}
		status.textContent = "";
		showError(fightError, lastError);
		button.disabled = false;
	}

	function resultOf(battle) {
		if (battle.status !== "done")
			return {text: "Queued", class: "queued"};
		return battle.winner_id === id ? {text: "Won", class: "won"} : {text: "Lost", class: "lost"};
	}

	function signed(amount, battle) {
		if (battle.status !== "done" || !amount)
			return "—";
		return battle.winner_id === id ? `+${formatNumber(amount)}` : `−${formatNumber(amount)}`;
	}

	async function loadBattles() {
		try {
			const {body: page} = await request("GET",
				`/players/${id}/battles?limit=${BATTLES_PER_PAGE}&offset=${battleOffset}`);
			if (stopped)
				return;
			const opponents = page.battles.map((b) => (b.attacker_id === id ? b.defender_id : b.attacker_id));
			await names.load(opponents);
			if (stopped)
				return;
			showError(battlesError, null);
			replace(battlesBody, page.battles.map((battle) => {
				const attacking = battle.attacker_id === id;
				const opponent = attacking ? battle.defender_id : battle.attacker_id;
				const result = resultOf(battle);
				return el("tr", {"data-battle-id": battle.id},
					el("td", {"data-label": "Battle"}, el("a", {href: battleHref(battle.id)}, `#${battle.id}`)),
					el("td", {"data-label": "Submitted"}, timeElement(battle.submitted_at)),
					el("td", {"data-label": "Role"}, attacking ? "Attacked" : "Defended"),
					el("td", {"data-label": "Opponent"}, el("a", {href: playerHref(opponent)}, names.get(opponent))),
					el("td", {"data-label": "Result"}, el("span", {class: `result ${result.class}`}, result.text)),
					el("td", {"data-label": "Gold", class: "num"}, signed(battle.gold_stolen, battle)),
					el("td", {"data-label": "Silver", class: "num"}, signed(battle.silver_stolen, battle)),
					el("td", {"data-label": "Score", class: "num"},
						battle.status === "done" && battle.winner_id === id ? `+${formatNumber(battle.score_awarded)}` : "—"));
			}));
			if (page.battles.length === 0)
				battlesBody.append(el("tr", {}, el("td", {colspan: 8, class: "empty"}, "No battles yet.")));
			battlesSummary.textContent = `${formatNumber(page.total)} ${page.total === 1 ? "battle" : "battles"}, newest first.`;
			position.textContent = page.battles.length
				? `${formatNumber(battleOffset + 1)}–${formatNumber(battleOffset + page.battles.length)} of ${formatNumber(page.total)}`
				: "";
			previous.disabled = battleOffset === 0;
			next.disabled = battleOffset + BATTLES_PER_PAGE >= page.total;
		} catch (failure) {
			if (!stopped)
				showError(battlesError, failure);
		}
	}

	previous.addEventListener("click", () => {
		battleOffset = Math.max(0, battleOffset - BATTLES_PER_PAGE);
		loadBattles();
	});
	next.addEventListener("click", () => {
		battleOffset += BATTLES_PER_PAGE;
		loadBattles();
	});

	loadProfile();
	loadBattles();
	return () => {
		stopped = true;
	};
}});
