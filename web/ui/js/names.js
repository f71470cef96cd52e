// names.js — players' names by id, fetched once per page (GET /players/{id}).
import {request} from "./api.js";

export function playerNames() {
	const known = new Map();
	return {
		remember(id, name) {
			known.set(id, name);
		},
		get(id) {
			return known.get(id) ?? `Player #${id}`;
		},
		async load(ids) {
			const missing = [...new Set(ids)].filter((id) => !known.has(id));
			await Promise.all(missing.map((id) => request("GET", `/players/${id}`)
				.then(({body}) => known.set(id, body.name), () => null)));
		},
	};
}
