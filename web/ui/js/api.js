// api.js — the HTTP API from the browser: one fetch wrapper, the session
// (in sessionStorage: per tab, gone when the tab closes, never a cookie),
// and the API's error bodies turned into ApiError with the API's message.

const SESSION_KEY = "platform-test.session";

export class ApiError extends Error {
	constructor(status, message, code = "", fields = null) {
		super(message);
		this.name = "ApiError";
		this.status = status;
		this.code = code;
		this.fields = fields;
	}
}

// The session: {kind: "player", name, player_id, token, expires_at} or
// {kind: "admin", name: "admin", basic} (the admin has HTTP Basic only).
export function getSession() {
	let session = null;
	try {
		session = JSON.parse(sessionStorage.getItem(SESSION_KEY));
	} catch {
		session = null;
	}
	if (!session || (session.kind !== "player" && session.kind !== "admin"))
		return null;
	if (session.kind === "player" && !(session.expires_at > Date.now())) {
		clearSession("Your session has expired; sign in again.");
		return null;
	}
	return session;
}

export function clearSession(reason = "") {
	const had = sessionStorage.getItem(SESSION_KEY) !== null;
	sessionStorage.removeItem(SESSION_KEY);
	if (had)
		window.dispatchEvent(new CustomEvent("pt-signed-out", {detail: {reason}}));
}

function saveSession(session) {
	sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
}

// HTTP Basic of UTF-8 name and password (btoa alone takes Latin-1 only).
function basicCredentials(name, password) {
	let binary = "";
	for (const byte of new TextEncoder().encode(`${name}:${password}`))
		binary += String.fromCharCode(byte);
	return `Basic ${btoa(binary)}`;
}

function authorization(session) {
	return session.kind === "admin" ? session.basic : `Bearer ${session.token}`;
}

// request("GET", "/leaderboard", {json, headers, session, auth}) → {status,
// body, headers}; throws ApiError (status 0 when the server was not reached).
// credentials: "omit": no cookies, and a 401 never opens the browser's own
// password prompt.
export async function request(method, path, options = {}) {
	const session = options.session === undefined ? getSession() : options.session;
	const headers = {Accept: "application/json", ...(options.headers || {})};
	if (options.authorization)
		headers.Authorization = options.authorization;
	else if (session && options.auth !== false)
		headers.Authorization = authorization(session);
	let body;
	if (options.json !== undefined) {
		headers["Content-Type"] = "application/json";
		body = typeof options.json === "string" ? options.json : JSON.stringify(options.json);
	}
	let response;
	try {
		response = await fetch(path, {method, headers, body, credentials: "omit", cache: "no-store",
			redirect: "error"});
	} catch (error) {
		throw new ApiError(0, `The server could not be reached (${error.message}).`, "network");
	}
	const text = await response.text();
	let parsed = null;
	if (text) {
		try {
			parsed = JSON.parse(text);
		} catch {
			parsed = null;
		}
	}
	if (!response.ok) {
		const error = parsed && parsed.error;
		const failure = error && typeof error.message === "string"
			? new ApiError(response.status, error.message, error.code || "", error.fields || null)
			: new ApiError(response.status, `The server answered ${response.status} ${response.statusText}.`);
		// A refused token (expired, revoked): this tab is signed out.
		if (response.status === 401 && headers.Authorization && session && !options.authorization)
			clearSession(failure.message);
		throw failure;
	}
	return {status: response.status, body: parsed, headers: response.headers};
}

// Signs in: the admin by checking its Basic credentials on a route it may
// call, a player through POST /sessions. Returns the session.
export async function signIn(name, password) {
	const basic = basicCredentials(name, password);
	if (name === "admin") {
		await request("GET", "/leaderboard?limit=1", {authorization: basic, session: null});
		const session = {kind: "admin", name: "admin", basic};
		saveSession(session);
		return session;
	}
	const {body} = await request("POST", "/sessions", {authorization: basic, session: null});
	const session = {
		kind: "player", name, player_id: body.player_id, token: body.token,
		expires_at: Date.now() + body.expires_in * 1000,
	};
	saveSession(session);
	return session;
}

// Signs out: a player's token is revoked (DELETE /sessions/current), and the
// tab forgets it either way. Returns an ApiError when the server could not
// revoke it, else null.
export async function signOut() {
	const session = getSession();
	let problem = null;
	if (session && session.kind === "player") {
		try {
			await request("DELETE", "/sessions/current", {session});
		} catch (error) {
			// 401: the token was no longer valid anyway.
			if (error.status !== 401)
				problem = error;
		}
	}
	clearSession("");
	return problem;
}

// An Idempotency-Key: 128 random bits in hex (crypto.randomUUID needs a
// secure context, which plain http to a remote host is not).
export function newIdempotencyKey() {
	const bytes = crypto.getRandomValues(new Uint8Array(16));
	return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
