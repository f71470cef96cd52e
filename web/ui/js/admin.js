// admin.js — /ui/admin.html: the admin creates a player with any of the
// contract's fields; the API decides what is valid, and its 422 `fields`
// messages appear next to the inputs they name.
import {request} from "./api.js";
import {startPage} from "./page.js";
import {el, replace, errorBox, showError, playerHref} from "./dom.js";

// Every field of POST /players, in the contract's order.
const FIELDS = [
	{name: "name", label: "Name", hint: "Required. 1–20 characters, no colon; unique.", autocomplete: "off"},
	{name: "password", label: "Password", type: "password", hint: "8–128 bytes. Without one the player cannot sign in.", autocomplete: "new-password"},
	{name: "description", label: "Description", textarea: true, hint: "Up to 1,000 characters."},
	{name: "gold", label: "Gold", number: true, hint: "0 – 1,000,000,000; default 0."},
	{name: "silver", label: "Silver", number: true, hint: "0 – 1,000,000,000; default 0."},
	{name: "attack", label: "Attack", number: true, hint: "1 – 1,000; default 70."},
	{name: "hit_points", label: "Hit points", number: true, hint: "1 – 1,000; default 100."},
	{name: "luck", label: "Luck", number: true, hint: "0 – 90, percent chance to dodge; default 10."},
];

// The request body as JSON text: empty optional fields are left out (the
// API's defaults apply); what looks like an integer is sent as one, digit
// for digit, anything else as a string, so the API judges it and says why.
export function playerBody(values) {
	const parts = [];
	for (const field of FIELDS) {
		const value = values[field.name];
		if (value === "" && field.name !== "name")
			continue;
		const json = field.number && /^-?[0-9]+$/.test(value.trim()) ? value.trim() : JSON.stringify(value);
		parts.push(`${JSON.stringify(field.name)}:${json}`);
	}
	return `{${parts.join(",")}}`;
}

startPage({admin: true, render(main) {
	const summary = errorBox(null);
	const created = el("div", {class: "created", id: "created", role: "status"});
	const inputs = {};
	const errors = {};
	const form = el("form", {class: "card player-form", id: "create-player", method: "post", novalidate: true,
		"aria-labelledby": "create-title"});
	form.append(el("h2", {id: "create-title"}, "Create a player"));
	for (const field of FIELDS) {
		const inputId = `field-${field.name}`;
		const hintId = `${inputId}-hint`;
		const errorId = `${inputId}-error`;
		const attributes = {id: inputId, name: field.name, "aria-describedby": `${hintId} ${errorId}`,
			autocomplete: field.autocomplete || "off"};
		let input;
		if (field.textarea)
			input = el("textarea", {...attributes, rows: 3});
		else
			input = el("input", {...attributes, type: field.type || "text",
				inputmode: field.number ? "numeric" : null, required: field.name === "name" ? true : null});
		inputs[field.name] = input;
		errors[field.name] = el("p", {class: "field-error", id: errorId});
		form.append(el("div", {class: `field${field.number ? " short" : ""}`, "data-field": field.name},
			el("label", {for: inputId}, field.label),
			input,
			el("p", {class: "hint", id: hintId}, field.hint),
			errors[field.name]));
	}
	const submit = el("button", {type: "submit", id: "create-submit"}, "Create player");
	form.append(summary, el("div", {class: "actions"}, submit));

	function clearErrors() {
		showError(summary, null);
		for (const field of FIELDS) {
			errors[field.name].textContent = "";
			inputs[field.name].removeAttribute("aria-invalid");
		}
	}

	form.addEventListener("submit", async (event) => {
		event.preventDefault();
		if (submit.disabled)
			return;
		submit.disabled = true;
		clearErrors();
		replace(created);
		const values = Object.fromEntries(FIELDS.map((f) => [f.name, inputs[f.name].value]));
		try {
			const {body: player} = await request("POST", "/players", {json: playerBody(values)});
			replace(created, "Created ", el("a", {href: playerHref(player.id), id: "created-link"}, player.name),
				` (player #${player.id}).`);
			form.reset();
			inputs.name.focus();
		} catch (failure) {
			showError(summary, failure);
			let first = null;
			for (const [name, message] of Object.entries(failure.fields || {})) {
				if (!errors[name])
					continue;
				errors[name].textContent = message;
				inputs[name].setAttribute("aria-invalid", "true");
				first = first || inputs[name];
			}
			if (failure.status === 409) {
				inputs.name.setAttribute("aria-invalid", "true");
				first = inputs.name;
			}
			(first || inputs.name).focus();
		} finally {
			submit.disabled = false;
		}
	});

	replace(main,
		el("h1", {}, "Admin"),
		el("p", {}, "Players created here can sign in at once if they have a password. Fields left empty take the API's defaults."),
		created,
		form);
	queueMicrotask(() => inputs.name.focus());
	return null;
}});
