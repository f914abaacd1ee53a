package serve

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The forwarder lets out at most SendPerTick a tick, in the order the
// switches wrote them; past MaxQueued waiting, the oldest are dropped and
// counted.
func TestOutboxPacesAndBounds(t *testing.T) {
	var o outbox
	for i := range 2*SendPerTick + 50 {
		o.add(datagram{msg: strconv.Itoa(i)})
	}
	var got []string
	for _, want := range []int{SendPerTick, SendPerTick, 50, 0} {
		batch, dropped := o.take()
		assert.Len(t, batch, want)
		assert.Zero(t, dropped)
		for _, g := range batch {
			got = append(got, g.msg)
		}
	}
	for i, m := range got {
		assert.Equal(t, strconv.Itoa(i), m, "in order")
	}
	for i := range MaxQueued + 7 {
		o.add(datagram{msg: strconv.Itoa(i)})
	}
	batch, dropped := o.take()
	assert.Equal(t, 7, dropped)
	assert.Equal(t, "7", batch[0].msg, "the oldest dropped")
	assert.Len(t, batch, SendPerTick)
}
