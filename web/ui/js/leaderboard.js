// leaderboard.js — GET / : the leaderboard, paged, with ties marked, "find
// me" for a signed-in player, and a refresh every few seconds while open.
import {request} from "./api.js";
import {startPage} from "./page.js";
import {el, replace, append, errorBox, showError, formatNumber, playerHref, queryInteger} from "./dom.js";
import {markTies} from "./ranks.js";

const REFRESH_MS = 5000;
const PAGE_SIZES = [10, 25, 50, 100];

startPage({render(main, session) {
	const initialLimit = queryInteger("limit");
	let limit = PAGE_SIZES.includes(initialLimit) ? initialLimit : 10;
	let offset = queryInteger("offset", {min: 0}) ?? 0;
	let around = null;   // a player id while "find me" is on
	let page = null;
	let drawn = "";
	let timer = null;
	let generation = 0;

	const error = errorBox(null);
	const summary = el("p", {class: "summary", id: "leaderboard-summary"});
	const updated = el("p", {class: "updated", id: "leaderboard-updated"});
	const body = el("tbody", {id: "leaderboard-rows"});
	const table = el("table", {class: "board", id: "leaderboard"},
		el("caption", {class: "visually-hidden"}, "Players by score, highest first"),
		el("thead", {}, el("tr", {},
			el("th", {scope: "col", class: "col-rank"}, "Rank"),
			el("th", {scope: "col"}, "Player"),
			el("th", {scope: "col", class: "num"}, "Score"))),
		body);
	const previous = el("button", {type: "button", id: "page-previous", class: "secondary"}, "Previous");
	const next = el("button", {type: "button", id: "page-next", class: "secondary"}, "Next");
	const top = el("button", {type: "button", id: "page-top", class: "secondary"}, "Top");
	const findMe = session.kind === "player"
		? el("button", {type: "button", id: "find-me"}, "Find me")
		: null;
	const size = el("select", {id: "page-size"},
		PAGE_SIZES.map((n) => el("option", {value: n, selected: n === limit}, String(n))));
	const position = el("span", {class: "position", id: "page-position"});

	replace(main,
		el("div", {class: "title-row"},
			el("h1", {}, "Leaderboard"),
			findMe),
		summary,
		error,
		el("div", {class: "table-wrap"}, table),
		el("div", {class: "pager"},
			el("div", {class: "pager-buttons"}, top, previous, next),
			position,
			el("div", {class: "field inline"}, el("label", {for: "page-size"}, "Rows per page"), size)),
		updated);

	async function load({quiet = false} = {}) {
		const mine = ++generation;
		const query = around !== null
			? `around=${around}&limit=${limit}`
			: `limit=${limit}&offset=${offset}`;
		try {
			const {body: result} = await request("GET", `/leaderboard?${query}`);
			// Whether the last row shares its rank with the first of the next page.
			const end = result.offset + result.entries.length;
			result.nextRank = null;
			if (result.entries.length && end < result.total) {
				const {body: next} = await request("GET", `/leaderboard?limit=1&offset=${end}`);
				result.nextRank = next.entries.length ? next.entries[0].rank : null;
			}
			if (mine !== generation)
				return;
			page = result;
			offset = result.offset;
			showError(error, null);
			draw();
			updated.textContent = `Updated ${new Date().toLocaleTimeString()}; refreshes every ${REFRESH_MS / 1000} seconds.`;
		} catch (failure) {
			if (mine !== generation)
				return;
			showError(error, failure);
			if (!quiet && failure.status === 422 && around !== null)
				around = null;
		}
		if (!quiet)
			remember();
	}

	function remember() {
		const query = new URLSearchParams();
		if (offset)
			query.set("offset", offset);
		if (limit !== 10)
			query.set("limit", limit);
		const search = query.toString();
		history.replaceState(null, "", search ? `/?${search}` : "/");
	}

	// Redraws only what changed, so a refresh does not take the keyboard
	// focus away from a link in the table (and puts it back when the rows
	// did change).
	function draw() {
		const state = JSON.stringify([page.total, page.offset, page.nextRank, page.entries, limit]);
		if (state === drawn)
			return;
		drawn = state;
		const focused = body.contains(document.activeElement)
			? document.activeElement.closest("tr")?.dataset.playerId : null;
		const entries = markTies(page.entries, page.offset, page.nextRank);
		const meId = session.kind === "player" ? session.player_id : null;
		replace(body, entries.map((entry) => {
			const me = entry.player_id === meId;
			const row = el("tr", {class: [entry.tied ? "tied" : "", me ? "me" : ""].join(" ").trim() || null,
				"aria-current": me ? "true" : null, "data-player-id": entry.player_id},
				el("td", {class: "col-rank"},
					el("span", {class: "rank"}, String(entry.rank)),
					entry.tied ? el("span", {class: "tie", title: `Shares rank ${entry.rank} with an equal score`}, "tie") : null),
				el("td", {}, el("a", {href: playerHref(entry.player_id)}, entry.name),
					me ? el("span", {class: "you"}, " (you)") : null),
				el("td", {class: "num"}, formatNumber(entry.score)));
			return row;
		}));
		if (entries.length === 0)
			append(body, el("tr", {}, el("td", {colspan: 3, class: "empty"}, "No players on this page.")));
		if (focused)
			body.querySelector(`tr[data-player-id="${focused}"] a`)?.focus();
		const total = page.total;
		summary.textContent = `${formatNumber(total)} ${total === 1 ? "player" : "players"} in total.`;
		const first = entries.length ? page.offset + 1 : 0;
		const last = page.offset + entries.length;
		position.textContent = entries.length
			? `Showing ${formatNumber(first)}–${formatNumber(last)} of ${formatNumber(total)}`
			: `Nothing at offset ${formatNumber(page.offset)} (${formatNumber(total)} players)`;
		previous.disabled = page.offset === 0;
		top.disabled = page.offset === 0;
		next.disabled = page.offset + limit >= total;
	}

	function go(newOffset) {
		around = null;
		offset = Math.max(0, newOffset);
		load();
	}

	previous.addEventListener("click", () => go(offset - limit));
	next.addEventListener("click", () => go(offset + limit));
	top.addEventListener("click", () => go(0));
	size.addEventListener("change", () => {
		limit = Number(size.value);
		go(Math.floor(offset / limit) * limit);
	});
	if (findMe) {
		findMe.addEventListener("click", () => {
			around = session.player_id;
			load().then(() => {
				const row = body.querySelector("tr.me");
				if (row)
					row.scrollIntoView({block: "nearest"});
			});
		});
	}

	function tick() {
		if (!document.hidden)
			load({quiet: true});
	}
	load();
	timer = setInterval(tick, REFRESH_MS);
	const onVisible = () => {
		if (!document.hidden)
			tick();
	};
	document.addEventListener("visibilitychange", onVisible);
	return () => {
		clearInterval(timer);
		document.removeEventListener("visibilitychange", onVisible);
		generation++;
	};
}});
