// The Switchboard console: the admin API's operator routes as a page. It asks for the platform
// admin token once (kept in this tab's sessionStorage), refreshes consumer lag every 5 seconds and
// dead letters and tenants every 15, and re-drives or purges a dead letter on a click. Text from
// the API only ever goes into the page as text (textContent), never as markup.
'use strict';

const TOKEN_KEY = 'switchboard-admin-token';
const LAG_EVERY_MS = 5000;
const SLOW_EVERY = 3;  // dead letters and tenants: every third lag refresh

let timer = null;
let tick = 0;
let session = 0;  // a sign-out ends the refresh loop of the sign-in before it

const $ = (id) => document.getElementById(id);

class Unauthorized extends Error {}

async function api(method, path, body) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const init = {method, headers: {Authorization: `Bearer ${token}`}};
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (response.status === 401) throw new Unauthorized('the admin token was refused');
  const payload = await response.json();
  if (!response.ok) {
    throw new Error(payload.error ? payload.error.message : `HTTP ${response.status}`);
  }
  return payload;
}

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text === null || text === undefined ? '-' : String(text);
  if (className) td.className = className;
  return td;
}

const number = (value, digits = 0) =>
  cell(value === null || value === undefined ? null : Number(value).toFixed(digits), 'number');

function fill(tableId, rows, columns, empty) {
  const body = $(tableId).tBodies[0];
  const fresh = document.createElement('tbody');
  if (rows.length === 0) {
    const tr = fresh.insertRow();
    const td = cell(empty, 'empty');
    td.colSpan = columns;
    tr.append(td);
  }
  for (const cells of rows) {
    const tr = fresh.insertRow();
    tr.append(...cells);
  }
  body.replaceWith(fresh);
}

function statusCell(status) {
  return cell(status, `status-${status}`);
}

function renderLag(groups) {
  const stages = groups.filter((g) => g.group.startsWith('switchboard-'));
  fill('stages', stages.map((g) => {
    const lags = g.partitions.map((p) => p.lag || 0);
    const ages = g.partitions.map((p) => p.lag_seconds || 0);
    return [cell(g.group.slice('switchboard-'.length)), statusCell(g.status), number(g.members),
            number(g.records_per_second, 1), number(lags.reduce((a, b) => a + b, 0)),
            number(Math.max(0, ...ages), 1)];
  }), 6, 'No stage has a consumer group yet.');
  const rows = [];
  for (const g of groups) {
    for (const p of g.partitions) {
      const tr = [cell(g.group), statusCell(g.status), cell(p.topic), number(p.partition),
                  number(p.committed), number(p.end), number(p.lag), number(p.lag_seconds, 1)];
      rows.push(tr);
    }
  }
  fill('lag', rows, 8, 'No consumer group has committed offsets yet.');
}

async function act(kind, letter) {
  const result = $('dlq-result');
  try {
    const answer = await api('POST', `/v1/ops/dlq/${kind}`, {stage: letter.stage, ids: [letter.id]});
    const outcome = answer.results.find((r) => r.id === letter.id);
    result.textContent = `${letter.id}: ${outcome ? outcome.result : 'no answer'}`;
    result.className = '';
  } catch (error) {
    if (error instanceof Unauthorized) return signOut(error.message);
    result.textContent = `${kind} of ${letter.id} failed: ${error.message}`;
    result.className = 'error';
  }
  await refresh(true);
}

function actionButton(label, kind, letter) {
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = label;
  button.dataset.id = letter.id;
  button.addEventListener('click', () => {
    button.disabled = true;
    act(kind, letter);
  });
  return button;
}

function renderDeadLetters(listing) {
  fill('dead-letters', listing.dead_letters.map((letter) => {
    const buttons = document.createElement('td');
    buttons.append(actionButton('Re-drive', 'redrive', letter), ' ',
                   actionButton('Purge', 'purge', letter));
    return [cell(letter.stage), cell(letter.topic), number(letter.partition),
            number(letter.offset), cell(letter.event_id || null), cell(letter.error),
            number(letter.attempts), cell(letter.time), buttons];
  }), 9, 'No pending dead letters.');
}

function renderTenants(listing) {
  fill('tenants', listing.items.map((t) => [
    cell(t.name), cell(t.active ? 'yes' : 'no'), cell(t.language), cell(t.timezone),
    number(t.messages_this_month), number(t.monthly_message_limit),
  ]), 6, 'No tenants.');
}

async function refresh(slowToo) {
  const jobs = [api('GET', '/v1/ops/lag').then(({groups}) => renderLag(groups))];
  if (slowToo) {
    jobs.push(api('GET', '/v1/ops/dlq').then(renderDeadLetters));
    jobs.push(api('GET', '/v1/tenants').then(renderTenants));
  }
  const results = await Promise.allSettled(jobs);
  const failed = results.filter((r) => r.status === 'rejected').map((r) => r.reason);
  if (failed.some((e) => e instanceof Unauthorized)) return signOut('The admin token was refused.');
  const status = $('status');
  const time = new Date().toLocaleTimeString();
  status.textContent = failed.length === 0 ? `Updated ${time}.`
                                           : `Updated ${time}; ${failed[0].message}`;
  status.className = failed.length === 0 ? '' : 'error';
}

function loop(current) {
  refresh(tick++ % SLOW_EVERY === 0).finally(() => {
    if (current === session) timer = setTimeout(() => loop(current), LAG_EVERY_MS);
  });
}

function signIn(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
  $('sign-in').hidden = true;
  $('console').hidden = false;
  $('sign-out').hidden = false;
  $('status').textContent = 'Loading...';
  tick = 0;
  loop(++session);
}

function signOut(message) {
  ++session;
  clearTimeout(timer);
  sessionStorage.removeItem(TOKEN_KEY);
  $('console').hidden = true;
  $('sign-out').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in-error').textContent = message || '';
  $('status').textContent = 'Not signed in.';
  $('status').className = '';
}

$('sign-in').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $('token');
  const token = input.value.trim();
  input.value = '';
  if (token) signIn(token);
});
$('sign-out').addEventListener('click', () => signOut(''));

const kept = sessionStorage.getItem(TOKEN_KEY);
if (kept) signIn(kept);
