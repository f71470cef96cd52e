// ui.mjs — the web front end in a real browser: headless Chromium driven by
// puppeteer-core against the stack that tests/e2e/test_browser.sh started.
// Prints one "PASS\tname" or "FAIL\tname\tdetail" line per check (the shell
// test counts them) and "# ..." comments; screenshots go to PT_SHOTS.
//
// Environment: PT_URL (the stack), PT_ADMIN_PASSWORD, PT_STATE (its state
// directory: the worker's pid file), PT_SHOTS, PT_NODE_MODULES (where
// puppeteer-core and axe-core are), PT_CHROMIUM, PT_CORS_ALLOWED_PORT and
// PT_CORS_REFUSED_PORT (ports for two "game" origins; the first is on the
// stack's PT_CORS_ORIGINS).
import {createRequire} from "node:module";
import {readFileSync, mkdtempSync, rmSync, mkdirSync} from "node:fs";
import {createServer} from "node:http";
import {tmpdir} from "node:os";
import {join} from "node:path";

const env = (name) => {
	const value = process.env[name];
	if (!value)
		throw new Error(`${name} is not set`);
	return value;
};
const BASE = env("PT_URL");
const ADMIN_PASSWORD = env("PT_ADMIN_PASSWORD");
const STATE = env("PT_STATE");
const SHOTS = env("PT_SHOTS");
const require = createRequire(join(env("PT_NODE_MODULES"), "noop.js"));
const puppeteer = require("puppeteer-core");
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const ALLOWED_PORT = Number(env("PT_CORS_ALLOWED_PORT"));
const REFUSED_PORT = Number(env("PT_CORS_REFUSED_PORT"));
const DESKTOP = {width: 1280, height: 900};
// (No isMobile: changing it reloads the page.)
const PHONE = {width: 390, height: 844, deviceScaleFactor: 2};

let failures = 0;
function pass(name) {
	console.log(`PASS\t${name}`);
}
function fail(name, detail = "") {
	failures++;
	console.log(`FAIL\t${name}\t${String(detail).replace(/\s+/g, " ").slice(0, 600)}`);
}
function check(name, condition, detail = "") {
	if (condition)
		pass(name);
	else
		fail(name, detail);
	return condition;
}
function same(name, actual, expected) {
	const a = JSON.stringify(actual);
	const e = JSON.stringify(expected);
	return check(name, a === e, `expected ${e}, got ${a}`);
}
const note = (text) => console.log(`# ${text}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- the API, directly (to set up data and to know what the pages must show) ----
function basic(name, password) {
	return `Basic ${Buffer.from(`${name}:${password}`, "utf8").toString("base64")}`;
}
const ADMIN = basic("admin", ADMIN_PASSWORD);
async function api(method, path, {auth = ADMIN, body, headers = {}} = {}) {
	const response = await fetch(BASE + path, {
		method,
		headers: {...(auth ? {Authorization: auth} : {}), ...(body !== undefined ? {"Content-Type": "application/json"} : {}), ...headers},
		body: body === undefined ? undefined : (typeof body === "string" ? body : JSON.stringify(body)),
	});
	const text = await response.text();
	return {status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers};
}
async function createPlayer(fields) {
	const result = await api("POST", "/players", {body: fields});
	if (result.status !== 201)
		throw new Error(`creating ${fields.name}: ${result.status} ${JSON.stringify(result.body)}`);
	return result.body;
}
async function token(name, password) {
	const result = await api("POST", "/sessions", {auth: basic(name, password)});
	if (result.status !== 201)
		throw new Error(`session for ${name}: ${result.status}`);
	return `Bearer ${result.body.token}`;
}
async function waitDone(ids) {
	for (const id of ids) {
		for (let tries = 0; ; tries++) {
			const {body} = await api("GET", `/battles/${id}`);
			if (body.status === "done")
				break;
			if (tries > 200)
				throw new Error(`battle ${id} is not done`);
			await sleep(50);
		}
	}
}
// The contract's rule 2, written out again here (the page has its own copy).
function attackValue(base, lost, max) {
	return Math.max(base - Math.ceil((base * lost) / max), Math.ceil(base / 2));
}

// ---- the data: players with ties at score 0, a battle history over two pages ----
const PASSWORD = "correct horse battery";
const alice = await createPlayer({name: "alice", password: PASSWORD, gold: 5000, silver: 1200, attack: 90, hit_points: 130, luck: 15,
	description: "Keeps the first strike."});
const bob = await createPlayer({name: "bob", password: PASSWORD, gold: 3000, silver: 800, attack: 75, hit_points: 110, luck: 20});
const others = [];
for (const [index, name] of ["ana", "bruno", "chen", "dara", "eli", "fay", "gus", "hana", "ivo", "jun", "kai", "lea"].entries())
	others.push(await createPlayer({name, gold: 400 + 150 * index, silver: 90 * index, attack: 40 + 5 * index, hit_points: 80 + 4 * index,
		password: PASSWORD}));
const aliceToken = await token("alice", PASSWORD);
const submitted = [];
for (const other of others.slice(0, 11)) {
	const result = await api("POST", "/battles", {auth: aliceToken, body: {attacker_id: alice.id, defender_id: other.id}});
	submitted.push(result.body.id);
}
// Two of the others fight each other, so the board has more than one score above 0.
const chenToken = await token("chen", PASSWORD);
submitted.push((await api("POST", "/battles", {auth: chenToken, body: {attacker_id: others[2].id, defender_id: others[11].id}})).body.id);
await waitDone(submitted);
note(`set up ${2 + others.length} players and ${submitted.length} battles`);

// ---- the browser ----
const profile = mkdtempSync(join(tmpdir(), "pt-chromium-"));
const browser = await puppeteer.launch({
	executablePath: env("PT_CHROMIUM"),
	headless: true,
	pipe: true,
	userDataDir: profile,
	args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--lang=en-US"],
});
mkdirSync(SHOTS, {recursive: true});

// Every console error, uncaught exception, failed request and CSP violation
// of our pages. An API error the test provokes on purpose shows up as
// "Failed to load resource" for that URL; those are expected (listed below).
const problems = [];
const expectedFailures = [];   // {path, status}
const violations = [];
function watch(page) {
	page.on("console", (message) => {
		if (message.type() !== "error" && message.type() !== "warn")
			return;
		const url = message.location()?.url || "";
		if (!url.startsWith(BASE))
			return;
		const text = message.text();
		const status = Number((/status of (\d+)/.exec(text) || [])[1]);
		const path = url.slice(BASE.length).split("?")[0];
		const expected = expectedFailures.findIndex((e) => e.path === path && e.status === status);
		if (text.startsWith("Failed to load resource") && expected >= 0) {
			expectedFailures.splice(expected, 1);
			return;
		}
		problems.push(`${message.type()}: ${text} (${url})`);
	});
	page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`));
	page.on("requestfailed", (request) => {
		if (request.url().startsWith(BASE))
			problems.push(`request failed: ${request.method()} ${request.url()} ${request.failure()?.errorText}`);
	});
	return page.evaluateOnNewDocument(() => {
		window.addEventListener("securitypolicyviolation", (event) => {
			console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
		});
	});
}

const page = await browser.newPage();
await watch(page);
await page.setViewport(DESKTOP);
page.setDefaultTimeout(15000);

const text = (selector) => page.$eval(selector, (node) => node.textContent.trim());
const texts = (selector) => page.$$eval(selector, (nodes) => nodes.map((node) => node.textContent.trim()));
async function goto(path) {
	await page.goto(BASE + path, {waitUntil: "load"});
}
async function shot(name) {
	await sleep(500);   // the hit point bars' width transition (0.35 s)
	await page.screenshot({path: join(SHOTS, `${name}-desktop.png`), fullPage: true});
	await page.setViewport(PHONE);
	await sleep(150);
	await page.screenshot({path: join(SHOTS, `${name}-phone.png`), fullPage: true});
	await page.setViewport(DESKTOP);
	await sleep(100);
}
// axe-core's audit of the page as it is now: serious and critical fail.
async function audit(name) {
	for (const [label, viewport] of [["desktop", DESKTOP], ["phone", PHONE]]) {
		await page.setViewport(viewport);
		await sleep(100);
		const loaded = await page.evaluate(() => typeof window.axe === "object");
		if (!loaded)
			await page.evaluate(AXE_SOURCE);
		const result = await page.evaluate(() => window.axe.run(document, {
			runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
		}));
		const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
		for (const v of result.violations.filter((v) => !bad.includes(v)))
			note(`axe (${name}, ${label}): ${v.impact} ${v.id}: ${v.help} (${v.nodes.length})`);
		check(`axe finds no serious or critical violation: ${name} (${label}, ${result.passes.length} rules pass)`, bad.length === 0,
			bad.map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`).join("; "));
	}
	await page.setViewport(DESKTOP);
}

// The leaderboard notes the page it shows in its URL (history.replaceState)
// after drawing it: waiting for the URL means the rows are drawn and the
// layout has settled, so the next click lands where it was aimed.
async function drawn(search) {
	try {
		await page.waitForFunction((want) => location.search === want, {timeout: 8000}, search);
	} catch {
		fail(`the leaderboard's URL becomes "${search}"`, await page.evaluate(() => location.search));
	}
}

async function leaderboardRows() {
	return page.$$eval("#leaderboard-rows tr[data-player-id]", (rows) => rows.map((row) => ({
		rank: Number(row.querySelector(".rank").textContent),
		player_id: Number(row.dataset.playerId),
		name: row.querySelector("a").textContent,
		score: Number(row.cells[2].textContent.replace(/,/g, "")),
		tie: row.querySelector(".tie") !== null,
		me: row.getAttribute("aria-current") === "true",
	})));
}
async function waitRows(expected) {
	try {
		await page.waitForFunction((ids) => {
			const rows = [...document.querySelectorAll("#leaderboard-rows tr[data-player-id]")];
			return rows.map((row) => row.dataset.playerId).join(",") === ids.join(",");
		}, {timeout: 8000}, expected.entries.map((e) => String(e.player_id)));
	} catch {
		// compared (and reported) by the caller
	}
	return leaderboardRows();
}

try {
	// ---- sign in ----
	await goto("/");
	await page.waitForSelector("#sign-in-name");
	check("GET / asks a visitor to sign in first", (await page.$("#leaderboard")) === null && (await text("h1")) === "Sign in");
	await shot("sign-in");
	await audit("sign-in form");

	const wrong = await api("POST", "/sessions", {auth: basic("alice", "not the password")});
	expectedFailures.push({path: "/sessions", status: 401});
	await page.type("#sign-in-name", "alice");
	await page.type("#sign-in-password", "not the password");
	await page.keyboard.press("Enter");
	await page.waitForSelector(".sign-in .error:not([hidden])");
	check("a wrong password shows the API's message", (await text(".sign-in .error")).includes(wrong.body.error.message),
		`page: ${await text(".sign-in .error")}, API: ${wrong.body.error.message}`);

	await page.$eval("#sign-in-password", (input) => { input.value = ""; });
	await page.type("#sign-in-password", PASSWORD);
	await page.keyboard.press("Enter");   // Enter submits the form
	await page.waitForSelector("#leaderboard-rows tr[data-player-id]");
	pass("Enter in the password field signs in and shows the leaderboard");
	same("the header names the signed-in player", await text(".who-name"), "alice");
	const stored = await page.evaluate(() => ({cookie: document.cookie, keys: Object.keys(sessionStorage),
		local: Object.keys(localStorage)}));
	same("the token is in sessionStorage only (no cookie, nothing in localStorage)", stored,
		{cookie: "", keys: ["platform-test.session"], local: []});

	// ---- the leaderboard: what the API returns, paging, ties, find me ----
	const full = (await api("GET", "/leaderboard?limit=100", {auth: aliceToken})).body;
	const rankCount = new Map();
	for (const entry of full.entries)
		rankCount.set(entry.rank, (rankCount.get(entry.rank) || 0) + 1);
	const expectRows = (entries) => entries.map((e) => ({rank: e.rank, player_id: e.player_id, name: e.name, score: e.score,
		tie: rankCount.get(e.rank) > 1, me: e.player_id === alice.id}));
	const page1 = (await api("GET", "/leaderboard?limit=10&offset=0", {auth: aliceToken})).body;
	same("page 1 shows the players GET /leaderboard returns, ties marked", await waitRows(page1), expectRows(page1.entries));
	check("some ranks are shared (the data has ties)", [...rankCount.values()].some((n) => n > 1));
	check("the total is shown", (await text("#leaderboard-summary")).startsWith(`${full.total} players`), await text("#leaderboard-summary"));

	await page.click("#page-next");
	await drawn("?offset=10");
	const page2 = (await api("GET", "/leaderboard?limit=10&offset=10", {auth: aliceToken})).body;
	same("Next shows offset 10", await waitRows(page2), expectRows(page2.entries));
	check("the position says where the page is", (await text("#page-position")) === `Showing 11–${10 + page2.entries.length} of ${full.total}`,
		await text("#page-position"));
	await page.click("#page-previous");
	await drawn("");
	same("Previous goes back to page 1", await waitRows(page1), expectRows(page1.entries));

	await page.click("#find-me");
	const around = (await api("GET", `/leaderboard?around=${alice.id}&limit=10`, {auth: aliceToken})).body;
	const aroundRows = await waitRows(around);
	same("Find me shows the API's around page", aroundRows, expectRows(around.entries));
	check("which is not the first page here", around.offset > 0, `offset ${around.offset}`);
	same("the signed-in player's row is the one highlighted", aroundRows.filter((r) => r.me).map((r) => r.name), ["alice"]);
	check("the highlighted row has the 'me' style", await page.$eval("tr.me", (row) => getComputedStyle(row).backgroundColor !== "rgba(0, 0, 0, 0)"));

	// 25 a page, then the second page: the players still at score 0 share a rank.
	await page.select("#page-size", "25");
	await drawn("?limit=25");
	const big1 = (await api("GET", "/leaderboard?limit=25&offset=0", {auth: aliceToken})).body;
	same("25 rows per page", await waitRows(big1), expectRows(big1.entries));
	await page.click("#page-next");
	await drawn("?offset=25&limit=25");
	const big2 = (await api("GET", "/leaderboard?limit=25&offset=25", {auth: aliceToken})).body;
	const big2Rows = await waitRows(big2);
	same("its second page", big2Rows, expectRows(big2.entries));
	check("ties visibly share a rank (a 'tie' badge on each row of a shared rank)", big2Rows.filter((r) => r.tie).length >= 2,
		JSON.stringify(big2Rows));
	check("Next is disabled on the last page", await page.$eval("#page-next", (b) => b.disabled));
	await page.select("#page-size", "10");
	await drawn("?offset=20");
	await page.click("#page-top");
	await drawn("");
	await waitRows(page1);
	const focusedId = page1.entries[0].player_id;
	await page.focus(`#leaderboard-rows tr[data-player-id="${focusedId}"] a`);
	const newcomer = await createPlayer({name: "newcomer"});
	try {
		await page.waitForFunction((total) => document.querySelector("#leaderboard-summary").textContent.startsWith(`${total} players`),
			{timeout: 12000}, full.total + 1);
		pass("the open leaderboard refreshes by itself (a new player's total within 12 s)");
	} catch {
		fail("the open leaderboard refreshes by itself (a new player's total within 12 s)", await text("#leaderboard-summary"));
	}
	same("a refresh keeps the keyboard focus on the link it was on",
		await page.evaluate(() => document.activeElement.closest("tr")?.dataset.playerId), String(focusedId));
	await page.click("#find-me");
	await waitRows((await api("GET", `/leaderboard?around=${alice.id}&limit=10`, {auth: aliceToken})).body);
	await shot("leaderboard");
	await audit("leaderboard");

	// ---- a player ----
	await page.select("#page-size", "100");
	// (The page notes the page size in its URL with history.replaceState,
	// which waitForNavigation would take for the click's navigation.)
	await page.waitForFunction((id) => location.search === "?limit=100" &&
		document.querySelector(`#leaderboard-rows tr[data-player-id="${id}"]`), {}, bob.id);
	// (A locator: it retries should a refresh redraw the row meanwhile.)
	await Promise.all([page.waitForNavigation(), page.locator(`#leaderboard-rows tr[data-player-id="${bob.id}"] a`).click()]);
	check("a name on the leaderboard opens the player's page", page.url() === `${BASE}/ui/player.html?id=${bob.id}`, page.url());
	await page.waitForSelector(".stats");
	const bobNow = (await api("GET", `/players/${bob.id}`)).body;
	const bobRank = (await api("GET", `/leaderboard?around=${bob.id}&limit=1`)).body;
	const stats = await page.$$eval(".stat", (nodes) => Object.fromEntries(nodes.map((n) => [n.dataset.stat, n.querySelector("dd").textContent])));
	same("the player page shows the API's stats, balances, score and rank", stats, {
		score: String(bobNow.score), rank: `${bobRank.entries[0].rank} of ${bobRank.total}`, gold: bobNow.gold.toLocaleString("en"),
		silver: bobNow.silver.toLocaleString("en"), attack: String(bobNow.attack), hit_points: String(bobNow.hit_points),
		luck: `${bobNow.luck}%`,
	});

	await page.click("nav a[href^='/ui/player.html']");   // "My player"
	await page.waitForSelector("#battle-rows tr[data-battle-id]");
	const history1 = (await api("GET", `/players/${alice.id}/battles?limit=10&offset=0`)).body;
	const historyRows = () => page.$$eval("#battle-rows tr[data-battle-id]", (rows) => rows.map((row) => ({
		id: Number(row.dataset.battleId), href: row.querySelector("a").getAttribute("href"),
		result: row.querySelector(".result").textContent})));
	const expectHistory = (battles) => battles.map((b) => ({id: b.id, href: `/ui/battle.html?id=${b.id}`,
		result: b.status !== "done" ? "Queued" : b.winner_id === alice.id ? "Won" : "Lost"}));
	same("the battle history's first page: the API's 10 newest, each linking to its report", await historyRows(), expectHistory(history1.battles));
	check("the history says how many battles there are", (await text("#battles-summary")).startsWith(`${history1.total} battles`));
	await page.click("#battles-next");
	const history2 = (await api("GET", `/players/${alice.id}/battles?limit=10&offset=10`)).body;
	await page.waitForFunction((id) => document.querySelector("#battle-rows tr[data-battle-id]")?.dataset.battleId === String(id), {},
		history2.battles[0].id);
	same("Older shows the next page", await historyRows(), expectHistory(history2.battles));
	await page.click("#battles-previous");
	await page.waitForFunction((id) => document.querySelector("#battle-rows tr[data-battle-id]")?.dataset.battleId === String(id), {},
		history1.battles[0].id);
	check("your own page has no Fight button", (await page.$("#fight")) === null && (await text("#fight-area")) === "This is you.");
	await shot("player");
	await audit("player");

	// ---- fight: a double click queues one battle; the page follows it to done ----
	await goto(`/ui/player.html?id=${bob.id}`);
	await page.waitForSelector("#fight");
	same("another player's page has the Fight button", await text("#fight"), "Fight bob");
	const workerPid = Number(readFileSync(join(STATE, "run", "worker.pid"), "utf8"));
	const before = (await api("GET", `/players/${alice.id}/battles?limit=1`)).body.total;
	const posts = [];
	const onRequest = (request) => {
		if (request.method() === "POST" && request.url() === `${BASE}/battles`)
			posts.push(request.headers()["idempotency-key"]);
	};
	page.on("request", onRequest);
	process.kill(workerPid, "SIGSTOP");   // the battle stays queued until SIGCONT
	let firstBattle;
	try {
		await Promise.all([page.waitForNavigation(), page.click("#fight", {count: 2})]);
		firstBattle = Number(new URL(page.url()).searchParams.get("id"));
		check("the fight opens the battle's page", page.url() === `${BASE}/ui/battle.html?id=${firstBattle}`, page.url());
		await page.waitForSelector("#battle-status[data-state]");
		same("a queued battle says so", await page.$eval("#battle-status", (n) => n.dataset.state), "queued");
		await sleep(500);
		same("a double click on Fight queued one battle", (await api("GET", `/players/${alice.id}/battles?limit=1`)).body.total, before + 1);
		same("and sent one POST /battles", posts.length, 1);
		check("with an Idempotency-Key", /^[0-9a-f]{32}$/.test(posts[0] || ""), posts[0]);
	} finally {
		process.kill(workerPid, "SIGCONT");
	}
	try {
		await page.waitForFunction(() => document.querySelector("#battle-status")?.dataset.state === "done", {timeout: 15000});
		pass("the queued battle's page updates by itself until it is done");
	} catch {
		fail("the queued battle's page updates by itself until it is done", await text("#battle-status"));
	}
	const report = (await api("GET", `/battles/${firstBattle}`)).body;
	await page.waitForSelector("#replay-end");
	const replayState = () => page.evaluate(() => ({
		counter: document.querySelector("#turn-counter").textContent,
		hp: [...document.querySelectorAll(".fighter .hp-text")].map((n) => n.textContent),
		attack: [...document.querySelectorAll(".fighter .attack-text")].map((n) => n.textContent),
		bars: [...document.querySelectorAll(".fighter .hp-bar")].map((n) => n.getAttribute("aria-valuenow")),
		widths: [...document.querySelectorAll(".fighter .hp-fill")].map((n) => `${parseFloat(n.style.width).toFixed(1)}%`),
		log: document.querySelectorAll("#turn-log li").length,
		events: [...document.querySelectorAll(".fighter .event")].map((n) => n.textContent),
		outcome: document.querySelector("#outcome").hidden ? null : document.querySelector("#outcome-transfer").textContent,
	}));
	const {attacker, defender} = report.participants;
	const n = report.turns.length;
	// The expected state after k turns, from the report and the contract's rules.
	const expectAfter = (k) => {
		const hp = {[attacker.player_id]: attacker.hit_points, [defender.player_id]: defender.hit_points};
		for (const turn of report.turns.slice(0, k))
			hp[turn.target_id] = turn.target_hp;
		const a = hp[attacker.player_id];
		const d = hp[defender.player_id];
		const atk = (p, h) => {
			const value = attackValue(p.attack, p.hit_points - h, p.hit_points);
			return value < p.attack ? `Attack ${value} (of ${p.attack})` : `Attack ${value}`;
		};
		return {hp: [`${a} / ${attacker.hit_points} HP`, `${d} / ${defender.hit_points} HP`], attack: [atk(attacker, a), atk(defender, d)],
			bars: [String(a), String(d)], widths: [`${((100 * a) / attacker.hit_points).toFixed(1)}%`, `${((100 * d) / defender.hit_points).toFixed(1)}%`]};
	};
	// End, then Restart: both stop the autoplay.
	await page.click("#replay-end");
	await page.click("#replay-restart");
	let state = await replayState();
	same("replay turn 0: both at full hit points", {counter: state.counter, hp: state.hp, attack: state.attack, log: state.log},
		{counter: `Turn 0 of ${n}`, hp: expectAfter(0).hp, attack: expectAfter(0).attack, log: 0});
	let stepsOk = true;
	let dodgeSeen = false;
	let shrinkSeen = false;
	for (let k = 1; k <= n; k++) {
		await page.click("#replay-forward");
		state = await replayState();
		const want = expectAfter(k);
		const turn = report.turns[k - 1];
		const targetIndex = turn.target_id === attacker.player_id ? 0 : 1;
		const wantEvent = turn.missed ? "Dodged!" : `−${turn.damage}`;
		if (state.counter !== `Turn ${k} of ${n}` || JSON.stringify(state.hp) !== JSON.stringify(want.hp) ||
			JSON.stringify(state.attack) !== JSON.stringify(want.attack) || JSON.stringify(state.bars) !== JSON.stringify(want.bars) ||
			JSON.stringify(state.widths) !== JSON.stringify(want.widths) || state.log !== k || state.events[targetIndex] !== wantEvent) {
			stepsOk = false;
			fail(`replay turn ${k} shows the report`, `${JSON.stringify(state)} vs ${JSON.stringify(want)} event ${wantEvent}`);
			break;
		}
		dodgeSeen ||= turn.missed;
		shrinkSeen ||= want.attack.some((a) => a.includes("(of"));
	}
	if (stepsOk)
		pass(`the replay steps through all ${n} turns: both hit point bars, dodges, attack values per the rules`);
	check("the attack values shrink as hit points fall (seen in this battle)", shrinkSeen);
	note(`battle ${firstBattle}: ${n} turns, ${report.turns.filter((t) => t.missed).length} dodges${dodgeSeen ? "" : " (none in this battle)"}`);
	const winnerName = report.winner_id === alice.id ? "alice" : "bob";
	const loserName = winnerName === "alice" ? "bob" : "alice";
	same("at the end, the gold and silver that moved", state.outcome,
		`${loserName} loses ${report.percent_stolen}% of its gold and silver: ${report.gold_stolen.toLocaleString("en")} gold and ` +
		`${report.silver_stolen.toLocaleString("en")} silver move to ${winnerName}, whose score rises by ${report.score_awarded.toLocaleString("en")}.`);
	same("the outcome names the winner", await text("#outcome-title"), `${winnerName} wins`);
	await shot("battle");
	await audit("battle replay");

	// A second click (a new one, not a retry) is a new battle: a fresh key.
	await goto(`/ui/player.html?id=${bob.id}`);
	await page.waitForSelector("#fight");
	await Promise.all([page.waitForNavigation(), page.click("#fight")]);
	const secondBattle = Number(new URL(page.url()).searchParams.get("id"));
	check("another click queues another battle (a fresh Idempotency-Key per click)",
		secondBattle > firstBattle && posts.length === 2 && posts[0] !== posts[1], `${firstBattle} then ${secondBattle}, keys ${posts}`);
	page.off("request", onRequest);
	await page.waitForFunction(() => document.querySelector("#battle-status")?.dataset.state === "done", {timeout: 15000});

	// ---- an id that does not exist: the API's own message ----
	const missingId = 99999999;
	const missingPlayer = await api("GET", `/players/${missingId}`);
	expectedFailures.push({path: `/players/${missingId}`, status: 404}, {path: `/players/${missingId}/battles`, status: 404},
		{path: "/leaderboard", status: 422});
	await goto(`/ui/player.html?id=${missingId}`);
	await page.waitForSelector("main .error:not([hidden])");
	check("an unknown player shows the API's message", (await text("main .error")).includes(missingPlayer.body.error.message),
		await text("main .error"));
	const missingBattle = await api("GET", `/battles/${missingId}`);
	expectedFailures.push({path: `/battles/${missingId}`, status: 404});
	await goto(`/ui/battle.html?id=${missingId}`);
	await page.waitForSelector("main .error:not([hidden])");
	same("an unknown battle shows the API's message", await text("main .error"), `${missingBattle.body.error.message} (HTTP 404)`);

	// ---- sign out ----
	const responses = [];
	const onResponse = (response) => {
		if (response.url() === `${BASE}/sessions/current`)
			responses.push(response.status());
	};
	page.on("response", onResponse);
	const oldSession = await page.evaluate(() => JSON.parse(sessionStorage.getItem("platform-test.session")));
	await page.click("#sign-out");
	await page.waitForSelector("#sign-in-name");
	page.off("response", onResponse);
	same("sign out forgets the session", await page.evaluate(() => ({keys: Object.keys(sessionStorage), cookie: document.cookie})),
		{keys: [], cookie: ""});
	check("and says so", (await text(".sign-in .notice")) === "You are signed out.", await text(".sign-in"));
	same("the header says nobody is signed in", await text(".who"), "Not signed in");
	check("DELETE /sessions/current revoked the token (204)", responses.length === 1 && responses[0] === 204,
		String(responses));
	const afterwards = await api("GET", "/leaderboard?limit=1", {auth: `Bearer ${oldSession.token}`});
	same("the revoked token is refused", afterwards.status, 401);
	await page.reload({waitUntil: "load"});
	await page.waitForSelector("#sign-in-name");
	pass("after a reload the tab is still signed out");

	// ---- the admin creates players ----
	await goto("/ui/admin.html");
	await page.waitForSelector("#sign-in-password");
	same("the admin page asks for the admin's sign-in, name filled in", await page.$eval("#sign-in-name", (i) => i.value), "admin");
	await page.type("#sign-in-password", ADMIN_PASSWORD);
	await page.click("#sign-in-submit");   // the button, this time
	await page.waitForSelector("#create-player");
	pass("the admin signs in with the button");
	const fields = {name: "carol", password: "a long password", description: "Line one\nline two", gold: "1234", silver: "56",
		attack: "80", hit_points: "120", luck: "20"};
	for (const [name, value] of Object.entries(fields))
		await page.type(`#field-${name}`, value);
	await page.click("#create-submit");
	await page.waitForSelector("#created-link");
	const createdId = Number(new URL(await page.$eval("#created-link", (a) => a.href)).searchParams.get("id"));
	const carol = (await api("GET", `/players/${createdId}`)).body;
	same("the admin created a player with every field", {name: carol.name, description: carol.description, gold: carol.gold,
		silver: carol.silver, attack: carol.attack, hit_points: carol.hit_points, luck: carol.luck},
	{name: "carol", description: "Line one\nline two", gold: 1234, silver: 56, attack: 80, hit_points: 120, luck: 20});
	same("with the password typed", (await api("POST", "/sessions", {auth: basic("carol", "a long password")})).status, 201);
	check("the form is emptied for the next player", (await page.$eval("#field-name", (i) => i.value)) === "");

	const badBody = {name: "dave", attack: "abc", luck: 91};
	const refused = await api("POST", "/players", {body: badBody});
	expectedFailures.push({path: "/players", status: 422});
	await page.type("#field-name", "dave");
	await page.type("#field-attack", "abc");
	await page.type("#field-luck", "91");
	await page.keyboard.press("Enter");
	await page.waitForSelector("#field-luck[aria-invalid='true']");
	same("a 422 shows the API's own field messages next to the inputs",
		{attack: await text("#field-attack-error"), luck: await text("#field-luck-error")},
		{attack: refused.body.error.fields.attack, luck: refused.body.error.fields.luck});
	check("and the API's message above the button", (await text("#create-player .error")).includes(refused.body.error.message));
	same("only the fields named are marked invalid", await page.$$eval("[aria-invalid='true']", (nodes) => nodes.map((n) => n.id)),
		["field-attack", "field-luck"]);
	same("focus moves to the first invalid field", await page.evaluate(() => document.activeElement.id), "field-attack");
	same("nothing was created", (await api("GET", `/leaderboard?limit=1`)).body.total, full.total + 2);
	await shot("admin");
	await audit("admin form with errors");
	check("the errors are tied to their inputs (aria-describedby)",
		(await page.$eval("#field-luck", (i) => i.getAttribute("aria-describedby"))).split(" ").includes("field-luck-error"));

	check(`no console error, uncaught exception, failed request or CSP violation on any page`, problems.length === 0, problems.join(" | "));
	check("every API error the test provoked was seen", expectedFailures.length === 0, JSON.stringify(expectedFailures));

	// ---- CORS from a game on another origin ----
	const gamePage = "<!doctype html><html lang=en><title>a game</title><p>game</p>";
	const servers = await Promise.all([ALLOWED_PORT, REFUSED_PORT].map((port) => new Promise((resolve, reject) => {
		const server = createServer((request, response) => {
			response.writeHead(200, {"Content-Type": "text/html"});
			response.end(gamePage);
		});
		server.on("error", reject);
		server.listen(port, "127.0.0.1", () => resolve(server));
	})));
	try {
		const game = await browser.newPage();
		const bobToken = await token("bob", PASSWORD);
		const fromGame = (base, auth, attacker, defender) => game.evaluate(async (base, auth, attacker, defender) => {
			const out = {};
			try {
				const board = await fetch(`${base}/leaderboard?limit=2`, {headers: {Authorization: auth}});
				out.board = {status: board.status, entries: (await board.json()).entries.length};
				const battle = await fetch(`${base}/battles`, {method: "POST",
					headers: {Authorization: auth, "Content-Type": "application/json", "Idempotency-Key": `game-${Date.now()}`},
					body: JSON.stringify({attacker_id: attacker, defender_id: defender})});
				out.battle = {status: battle.status, location: battle.headers.get("Location")};
				const missing = await fetch(`${base}/players/99999999`, {headers: {Authorization: auth}});
				out.missing = {status: missing.status, code: (await missing.json()).error.code};
				const refusedToken = await fetch(`${base}/leaderboard`, {headers: {Authorization: "Bearer nonsense"}});
				out.unauthorized = {status: refusedToken.status, code: (await refusedToken.json()).error.code};
			} catch (error) {
				out.error = `${error.name}: ${error.message}`;
			}
			return out;
		}, base, auth, attacker, defender);
		await game.goto(`http://127.0.0.1:${ALLOWED_PORT}/`);
		const allowed = await fromGame(BASE, bobToken, bob.id, alice.id);
		same("an allowed origin reads the API (preflighted GET and POST with Idempotency-Key, Location exposed)",
			{board: allowed.board, battleStatus: allowed.battle?.status, location: /^\/battles\/\d+$/.test(allowed.battle?.location || "")},
			{board: {status: 200, entries: 2}, battleStatus: 202, location: true});
		same("and reads the API's error responses too", {missing: allowed.missing, unauthorized: allowed.unauthorized},
			{missing: {status: 404, code: "not_found"}, unauthorized: {status: 401, code: "unauthorized"}});
		await game.goto(`http://127.0.0.1:${REFUSED_PORT}/`);
		const refusedOrigin = await fromGame(BASE, bobToken, bob.id, alice.id);
		check("an origin not on the list cannot read the API (the browser blocks it)",
			refusedOrigin.error?.startsWith("TypeError") && !refusedOrigin.board, JSON.stringify(refusedOrigin));
		await game.close();
	} finally {
		for (const server of servers)
			server.close();
	}
} catch (error) {
	fail("the browser scenarios ran to the end", error.stack || error);
	await page.screenshot({path: join(SHOTS, "failure.png"), fullPage: true}).catch(() => null);
} finally {
	await browser.close().catch(() => null);
	rmSync(profile, {recursive: true, force: true});
}
note(`screenshots in ${SHOTS}`);
process.exit(failures ? 1 : 0);
