// ranks.js — pure helpers over leaderboard entries (no DOM: the tests run
// them in Node too).

// markTies(entries, offset, nextRank): the entries with `tied` set where a
// rank is shared, also with a neighbour on another page: the previous page's
// (the first entry's rank is below its position — ranks are standard
// competition ranking, so an entry whose rank is not 1 + its position shares
// it with the one before) and the next page's (nextRank: the rank of the
// entry after the last, when there is one).
export function markTies(entries, offset, nextRank = null) {
	return entries.map((entry, index) => {
		const position = offset + index + 1;
		const before = index > 0 ? entries[index - 1].rank === entry.rank : entry.rank < position;
		const after = index + 1 < entries.length ? entries[index + 1].rank === entry.rank : nextRank === entry.rank;
		return {...entry, tied: before || after};
	});
}
