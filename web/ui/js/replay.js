// replay.js — a battle report as a sequence of states, one before the first
// turn and one after each (no DOM: the tests run it in Node too).

// The contract's rule 2: base − ⌈base × lost ⁄ max⌉, never below ⌈base ⁄ 2⌉.
export function attackValue(base, lost, max) {
	const reduced = base - Math.ceil((base * lost) / max);
	return Math.max(reduced, Math.ceil(base / 2));
}

// replayStates(battle) → [{turn, hp: {attacker, defender}, attack: {...}}],
// index 0 the start (turn null), index k the state after turns[k - 1].
export function replayStates(battle) {
	const {attacker, defender} = battle.participants;
	const roleOf = (playerId) => (playerId === attacker.player_id ? "attacker" : "defender");
	const max = {attacker: attacker.hit_points, defender: defender.hit_points};
	const base = {attacker: attacker.attack, defender: defender.attack};
	const attackOf = (hp) => ({
		attacker: attackValue(base.attacker, max.attacker - hp.attacker, max.attacker),
		defender: attackValue(base.defender, max.defender - hp.defender, max.defender),
	});
	let hp = {...max};
	const states = [{turn: null, striker: null, target: null, hp, attack: attackOf(hp)}];
	for (const turn of battle.turns) {
		const striker = roleOf(turn.striker_id);
		const target = roleOf(turn.target_id);
		hp = {...hp, [target]: turn.target_hp};
		states.push({turn, striker, target, hp, attack: attackOf(hp)});
	}
	return states;
}
