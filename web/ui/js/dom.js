// dom.js — building the page without HTML strings (no innerHTML anywhere:
// text from the API only ever becomes text nodes) and formatting numbers
// and times.

// el("a", {href: "/", class: "x"}, "text", child...): an element with
// attributes, listeners (on...) and children (strings become text nodes).
export function el(tag, attributes = {}, ...children) {
	const node = document.createElement(tag);
	for (const [name, value] of Object.entries(attributes)) {
		if (value === undefined || value === null || value === false)
			continue;
		if (name === "class")
			node.className = value;
		else if (name === "text")
			node.textContent = value;
		else if (name.startsWith("on") && typeof value === "function")
			node.addEventListener(name.slice(2), value);
		else
			node.setAttribute(name, value === true ? "" : String(value));
	}
	append(node, children);
	return node;
}

export function append(node, children) {
	for (const child of children.flat(Infinity)) {
		if (child === undefined || child === null || child === false)
			continue;
		node.append(child instanceof Node ? child : String(child));
	}
	return node;
}

// Replaces every child of node.
export function replace(node, ...children) {
	node.replaceChildren();
	return append(node, children);
}

const integer = new Intl.NumberFormat("en");

export function formatNumber(value) {
	return typeof value === "number" ? integer.format(value) : String(value ?? "");
}

// <time> for an RFC 3339 timestamp, shown in the reader's locale.
export function timeElement(timestamp) {
	if (!timestamp)
		return el("span", {text: "—"});
	const date = new Date(timestamp);
	const shown = Number.isNaN(date.getTime()) ? timestamp
		: date.toLocaleString(undefined, {dateStyle: "medium", timeStyle: "short"});
	return el("time", {datetime: timestamp}, shown);
}

// A positive integer from the query string, else null.
export function queryInteger(name, {min = 1} = {}) {
	const text = new URLSearchParams(location.search).get(name);
	if (text === null || !/^[0-9]{1,15}$/.test(text))
		return null;
	const value = Number(text);
	return value >= min ? value : null;
}

export function playerHref(id) {
	return `/ui/player.html?id=${encodeURIComponent(id)}`;
}

export function battleHref(id) {
	return `/ui/battle.html?id=${encodeURIComponent(id)}`;
}

// A message box for errors: the API's own message, its status after it.
export function errorBox(error) {
	const box = el("div", {class: "error", role: "alert"});
	showError(box, error);
	return box;
}

export function showError(box, error) {
	if (!error) {
		box.replaceChildren();
		box.hidden = true;
		return;
	}
	box.hidden = false;
	replace(box, el("span", {class: "error-message"}, error.message),
		error.status ? el("span", {class: "error-status"}, ` (HTTP ${error.status})`) : null);
}
