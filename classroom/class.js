(function () {
  const table = document.getElementById('class');
  const csrf = table.dataset.csrf;
  const flash = document.getElementById('flash');
  function cell(text, cls) {
    const td = document.createElement('td');
    if (cls) td.className = cls;
    td.textContent = text;
    return td;
  }
  function button(cls, pod, label) {
    const b = document.createElement('button');
    b.className = cls; b.dataset.pod = pod; b.textContent = label;
    return b;
  }
  function render(rows) {
    const body = document.createElement('tbody');
    for (const r of rows) {
      const tr = document.createElement('tr');
      tr.id = 'pod-' + r.pod;
      tr.append(cell(r.pod), cell(r.exercise), cell(r.state, 'state ' + r.state.replace(' ', '-')),
        cell(r.virtual, 'num'), cell(r.real, 'num'), cell(String(r.hints), 'num hints'), cell(String(r.wrong), 'num'),
        cell(String(r.commands), 'num'));
      const last = document.createElement('td');
      const pre = document.createElement('pre');
      pre.textContent = r.last.join('\n');
      last.append(pre);
      const act = document.createElement('td');
      act.append(button('hint', r.pod, 'Push hint'), ' ', button('reset', r.pod, 'Reset'));
      tr.append(last, act);
      body.append(tr);
    }
    table.tBodies[0].replaceWith(body);
  }
  async function refresh() {
    try {
      const res = await fetch('/class/data.json', {cache: 'no-store'});
      if (res.ok) render(await res.json());
    } catch (e) { /* the server restarting: the next refresh tries again */ }
  }
  async function post(path, pod) {
    const form = new URLSearchParams({csrf: csrf, pod: pod || ''});
    const res = await fetch(path, {method: 'POST', body: form});
    const answer = await res.json();
    flash.className = res.ok ? '' : 'error';
    flash.textContent = answer.message || answer.error;
    await refresh();
  }
  table.addEventListener('click', function (e) {
    const b = e.target.closest('button');
    if (!b) return;
    if (b.classList.contains('hint')) post('/class/hint', b.dataset.pod);
    if (b.classList.contains('reset')) {
      if (b.dataset.armed) { post('/class/reset', b.dataset.pod); return; }
      b.dataset.armed = '1';
      b.textContent = 'Confirm reset of ' + b.dataset.pod;
      flash.className = '';
      flash.textContent = 'Reset starts ' + b.dataset.pod + ' over on a new world: click again to confirm.';
    }
  });
  document.getElementById('signout').addEventListener('click', async function () {
    await post('/class/logout');
    location.href = '/class';
  });
  setInterval(function () {
    if (!table.querySelector('button[data-armed]')) refresh(); // a confirmation waits for its second click
  }, 2000);
})();
