// ranks.js — pure helpers over leaderboard entries (no DOM: the tests run
// them in Node too).

// markTies(entries, offset): the entries with `tied` set where a rank is
// shared, also with a neighbour on the previous page (the first entry's rank
// is below its position) — ranks are standard competition ranking, so an
// entry whose rank is not 1 + its position shares it with the one before.
export function markTies(entries, offset) {
	return entries.map((entry, index) => {
		const position = offset + index + 1;
		const before = index > 0 ? entries[index - 1].rank === entry.rank : entry.rank < position;
		const after = index + 1 < entries.length && entries[index + 1].rank === entry.rank;
		return {...entry, tied: before || after};
	});
}
