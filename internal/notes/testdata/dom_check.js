// dom_check.js drives static/js/app.js against a tiny fake DOM and prints
// one line per failed expectation. Run by TestJavaScriptCounters (js_test.go)
// with APP set to app.js's absolute path.
'use strict';
const app = require(process.env.APP);
const failures = [];
function expect(name, got, want) {
  if (got !== want) failures.push(name + ': got ' + JSON.stringify(got) + ', want ' + JSON.stringify(want));
}

// --- pure text helpers ---
expect('counterText(0,15)', app.counterText(0, 15), '15 words left');
expect('counterText(14,15)', app.counterText(14, 15), '1 word left');
expect('counterText(15,15)', app.counterText(15, 15), '0 words left');
expect('counterText(16,15)', app.counterText(16, 15), '1 word too many');
expect('counterText(18,15)', app.counterText(18, 15), '3 words too many');
expect('totalText(412,650)', app.totalText(412, 650), '412 of 650 words');
expect('totalText(1,650)', app.totalText(1, 650), '1 of 650 words');

// --- a fake DOM just big enough for the markup contract ---
function matchesOne(el, sel) {
  const m = /^([a-z]*)((?:\[[a-z-]+\])*)$/.exec(sel.trim());
  if (!m) throw new Error('fake DOM cannot parse selector ' + sel);
  if (m[1] && el.tag !== m[1]) return false;
  const attrs = m[2].match(/[a-z-]+/g) || [];
  return attrs.every(a => a in el.attrs);
}
function matches(el, selector) {
  return selector.split(',').some(s => matchesOne(el, s));
}
class El {
  constructor(doc, tag, attrs, form) {
    this.ownerDocument = doc; this.tag = tag; this.attrs = attrs || {};
    this.id = this.attrs.id || ''; this.form = form || null;
    this.value = this.attrs.value || ''; this.textContent = '';
    const classes = new Set();
    this.classList = {
      toggle: (c, on) => { if (on) classes.add(c); else classes.delete(c); return on; },
      contains: c => classes.has(c),
    };
    doc.all.push(this);
  }
  getAttribute(a) { return a in this.attrs ? this.attrs[a] : null; }
  matches(sel) { return matches(this, sel); }
  querySelectorAll(sel) { return this.ownerDocument.all.filter(e => e.form === this && e !== this && matches(e, sel)); }
}
const listeners = {};
const doc = {
  all: [], readyState: 'complete',
  getElementById(id) { return this.all.find(e => e.id === id) || null; },
  querySelectorAll(sel) { return this.all.filter(e => matches(e, sel)); },
  addEventListener(type, fn) { (listeners[type] = listeners[type] || []).push(fn); },
};
function type(el, value) {
  el.value = value;
  (listeners.input || []).forEach(fn => fn({ target: el }));
}
function words(n) { return Array(n).fill('word').join(' '); }

const form = new El(doc, 'form', {});
const title = new El(doc, 'input', { id: 'title', 'data-word-limit': '15', value: 'Open contracting data' }, form);
const titleCount = new El(doc, 'p', { id: 'title-count', 'aria-live': 'polite' }, form);
const problem = new El(doc, 'textarea', { id: 'problem', 'data-word-limit': '120' }, form);
const problemCount = new El(doc, 'p', { id: 'problem-count', 'aria-live': 'polite' }, form);
const partners = new El(doc, 'input', { id: 'partners', 'data-word-limit': '30', value: 'UNDP and NGOs' }, form); // no counter
const deliv = new El(doc, 'input', { id: 'm0-deliverable', 'data-word-limit': '20', 'data-word-group': 'm0' }, form);
const delivCount = new El(doc, 'p', { id: 'm0-deliverable-count' }, form);
const resp = new El(doc, 'input', { id: 'm0-responsible', 'data-word-limit': '20', 'data-word-group': 'm0' }, form);
const due = new El(doc, 'input', { id: 'm0-due', value: '2021-03' }, form); // not counted
const total = new El(doc, 'p', { 'data-word-total': '', 'data-page-words': '650' }, form);
const stray = new El(doc, 'textarea', { id: 'stray', 'data-word-limit': '5' }); // outside any form
const strayCount = new El(doc, 'p', { id: 'stray-count' });

app.start(doc);
expect('initial title counter', titleCount.textContent, '12 words left');
expect('initial problem counter', problemCount.textContent, '120 words left');
expect('initial group counter', delivCount.textContent, '20 words left');
expect('initial total', total.textContent, '6 of 650 words');
expect('stray counter', strayCount.textContent, '5 words left');

type(problem, words(120));
expect('problem at limit', problemCount.textContent, '0 words left');
expect('problem at limit not over', problemCount.classList.contains('is-over'), false);
type(problem, words(123));
expect('problem over limit', problemCount.textContent, '3 words too many');
expect('problem over limit marked', problemCount.classList.contains('is-over'), true);
expect('problem value kept', problem.value, words(123));
expect('total after problem', total.textContent, '129 of 650 words');

type(title, 'Open  contracting —\n data 👍 state-owned');
expect('title counter uses countWords', titleCount.textContent, '11 words left');

type(deliv, words(19));
expect('group after deliverable', delivCount.textContent, '1 word left');
type(resp, 'Ministry of Works');
expect('group counts responsible too', delivCount.textContent, '2 words too many');

type(due, 'not a counted field at all');
expect('uncounted field leaves total', total.textContent, '152 of 650 words');

type(problem, words(640));
expect('total over the page', total.textContent, '669 of 650 words');
expect('total over the page marked', total.classList.contains('is-over'), true);

type(stray, 'one two three four five six');
expect('stray over', strayCount.textContent, '1 word too many');

process.stdout.write(failures.join('\n'));
