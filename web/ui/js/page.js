// page.js — what every page shares: the header (navigation, who is signed
// in, sign out) and the sign-in form that stands in for a page's content
// until someone is signed in.
import {getSession, signIn, signOut} from "./api.js";
import {el, replace, errorBox, showError} from "./dom.js";

// startPage({admin, render}): render(main, session) draws the page for a
// signed-in visitor and may return a function that stops its timers.
// admin: true pages are for the admin only.
export function startPage({admin = false, render}) {
	const header = document.getElementById("site-header");
	const main = document.getElementById("main");
	let stop = null;
	let notice = "";

	function draw() {
		if (stop) {
			stop();
			stop = null;
		}
		const session = getSession();
		drawHeader(header, session, async () => {
			const problem = await signOut();
			notice = problem ? `Signed out in this tab, but the server did not revoke the token: ${problem.message}` : "You are signed out.";
			draw();
		});
		if (!session || (admin && session.kind !== "admin")) {
			replace(main, signInForm({admin, session, notice, onSignedIn: () => {
				notice = "";
				draw();
			}}));
			notice = "";
			return;
		}
		stop = render(main, session) || null;
	}

	// A token the API refused (expired, revoked) signs this tab out.
	window.addEventListener("pt-signed-out", (event) => {
		notice = event.detail.reason || notice;
		draw();
	});
	draw();
}

function drawHeader(header, session, onSignOut) {
	const nav = el("nav", {"aria-label": "Main"},
		el("ul", {},
			el("li", {}, el("a", {href: "/"}, "Leaderboard")),
			session && session.kind === "player"
				? el("li", {}, el("a", {href: `/ui/player.html?id=${session.player_id}`}, "My player"))
				: null,
			el("li", {}, el("a", {href: "/ui/admin.html"}, "Admin"))));
	for (const link of nav.querySelectorAll("a")) {
		const target = new URL(link.href);
		if (target.pathname === location.pathname && target.search === location.search)
			link.setAttribute("aria-current", "page");
	}
	const who = session
		? el("div", {class: "who"},
			el("span", {}, "Signed in as ", el("strong", {class: "who-name"}, session.name)),
			el("button", {type: "button", class: "secondary", id: "sign-out", onclick: onSignOut}, "Sign out"))
		: el("div", {class: "who"}, el("span", {}, "Not signed in"));
	replace(header,
		el("a", {class: "brand", href: "/"}, el("img", {src: "/ui/favicon.svg", alt: "", width: 28, height: 28}),
			"Platform Test"),
		nav, who);
}

// The sign-in form: name and password, submitted with Enter or the button.
function signInForm({admin, session, notice, onSignedIn}) {
	const error = errorBox(null);
	const name = el("input", {id: "sign-in-name", name: "name", autocomplete: "username", required: true,
		autocapitalize: "none", spellcheck: "false", value: admin ? "admin" : null});
	const password = el("input", {id: "sign-in-password", name: "password", type: "password",
		autocomplete: "current-password", required: true});
	const button = el("button", {type: "submit", id: "sign-in-submit"}, "Sign in");
	const intro = admin
		? (session ? "This page is for the admin. Sign out, then sign in with the admin's name and password."
			: "This page is for the admin: sign in with the name admin and the admin password.")
		: "The leaderboard, players and battles are for players and the admin. Sign in with your name and password (the admin signs in as admin).";
	const form = el("form", {class: "card sign-in", method: "post", novalidate: true, "aria-labelledby": "sign-in-title"},
		el("h1", {id: "sign-in-title"}, admin ? "Admin sign-in" : "Sign in"),
		notice ? el("p", {class: "notice", role: "status"}, notice) : null,
		el("p", {}, intro),
		el("div", {class: "field"}, el("label", {for: "sign-in-name"}, "Name"), name),
		el("div", {class: "field"}, el("label", {for: "sign-in-password"}, "Password"), password),
		el("div", {class: "actions"}, button),
		error);
	form.addEventListener("submit", async (event) => {
		event.preventDefault();
		if (button.disabled)
			return;
		if (session && admin) {
			showError(error, {message: "Sign out first: you are signed in as a player."});
			return;
		}
		button.disabled = true;
		showError(error, null);
		try {
			await signIn(name.value, password.value);
			onSignedIn();
		} catch (failure) {
			showError(error, failure);
			button.disabled = false;
			password.select();
		}
	});
	queueMicrotask(() => (admin ? password : name).focus());
	return form;
}
