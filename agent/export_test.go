package agent

// OnMove makes a call f for every move of a's mode graph, self-loops
// included (the behaviour scripts check that they cover every row).
func OnMove(a *Agent, f func(from Mode, ev Event, to Mode)) { a.onMove = f }
