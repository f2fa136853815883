/*
 * cocreate: the site's single script. Pages work without it; it only adds
 * live word counters to the concept-note form.
 *
 * Markup contract (progressive enhancement, no inline script needed):
 *
 *   <textarea id="problem" name="problem" data-word-limit="120"
 *             aria-describedby="problem-hint problem-count"></textarea>
 *   <p id="problem-count" aria-live="polite"></p>
 *
 *   Every textarea or input with data-word-limit="N" whose #<id>-count
 *   element exists gets that element's text kept up to date: "12 words
 *   left", "1 word left", "0 words left", "3 words too many". Typing is never
 *   blocked; an over-limit counter gets the class "is-over" for styling.
 *
 *   Optional: fields that share a limit (a milestone row's deliverable and
 *   responsible actor) carry the same data-word-group="..." value; each
 *   counter in the group then shows the group's total against the limit.
 *
 *   <p data-word-total data-page-words="650"></p> inside a form shows
 *   "412 of 650 words", the sum over every [data-word-limit] field of that
 *   form. It gets "is-over" above the page guide.
 *
 * countWords mirrors notes.CountWords in internal/notes/words.go exactly;
 * both run against internal/notes/testdata/wordcount.json. Change them
 * together.
 */
(function (root) {
  'use strict';

  // Unicode White_Space plus the zero-width space (Go: unicode.IsSpace || U+200B).
  var SEPARATOR = /[\p{White_Space}\u200B]/u;
  // A letter or a number (Go: unicode.IsLetter || unicode.IsNumber).
  var WORD_CHAR = /[\p{L}\p{N}]/u;
  // Scripts written without spaces, counted one word a character.
  var BY_CHARACTER = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

  /**
   * countWords returns the number of words in text: tokens between white
   * space that hold at least one letter or number, with every Han, Hiragana
   * or Katakana letter counted as a word of its own.
   */
  function countWords(text) {
    if (typeof text !== 'string' || text === '') {
      return 0;
    }
    var n = 0;
    var inWord = false;
    // for...of walks code points, as Go's range over a string does.
    for (var ch of text) {
      if (SEPARATOR.test(ch)) {
        if (inWord) {
          n++;
          inWord = false;
        }
      } else if (WORD_CHAR.test(ch)) {
        if (BY_CHARACTER.test(ch)) {
          if (inWord) {
            n++;
            inWord = false;
          }
          n++;
        } else {
          inWord = true;
        }
      }
    }
    if (inWord) {
      n++;
    }
    return n;
  }

  function plural(n) {
    return n === 1 ? '1 word' : n + ' words';
  }

  /** counterText says what is left of a limit, or how far over it is. */
  function counterText(count, limit) {
    if (count > limit) {
      return plural(count - limit) + ' too many';
    }
    return plural(limit - count) + ' left';
  }

  /** totalText compares the words of a form with the one-page guide. */
  function totalText(total, pageWords) {
    return total + ' of ' + pageWords + ' words';
  }

  var LIMITED = 'textarea[data-word-limit], input[data-word-limit]';

  function limitOf(field) {
    var n = parseInt(field.getAttribute('data-word-limit'), 10);
    return isNaN(n) ? null : n;
  }

  // groupOf returns the fields counted together with field, itself included.
  function groupOf(field) {
    var group = field.getAttribute('data-word-group');
    var scope = field.form || field.ownerDocument;
    if (!group || !scope) {
      return [field];
    }
    var out = [];
    var all = scope.querySelectorAll(LIMITED);
    for (var i = 0; i < all.length; i++) {
      if (all[i].getAttribute('data-word-group') === group) {
        out.push(all[i]);
      }
    }
    return out.length ? out : [field];
  }

  function updateCounters(field) {
    var members = groupOf(field);
    var count = 0;
    for (var i = 0; i < members.length; i++) {
      count += countWords(members[i].value);
    }
    for (var j = 0; j < members.length; j++) {
      var limit = limitOf(members[j]);
      var counter = members[j].id && members[j].ownerDocument.getElementById(members[j].id + '-count');
      if (!counter || limit === null) {
        continue;
      }
      var text = counterText(count, limit);
      // Rewriting identical text would make some screen readers repeat it.
      if (counter.textContent !== text) {
        counter.textContent = text;
      }
      counter.classList.toggle('is-over', count > limit);
    }
  }

  function updateTotal(form) {
    if (!form) {
      return;
    }
    var totals = form.querySelectorAll('[data-word-total]');
    if (!totals.length) {
      return;
    }
    var total = 0;
    var fields = form.querySelectorAll(LIMITED);
    for (var i = 0; i < fields.length; i++) {
      total += countWords(fields[i].value);
    }
    for (var j = 0; j < totals.length; j++) {
      var page = parseInt(totals[j].getAttribute('data-page-words'), 10);
      if (isNaN(page)) {
        page = 650;
      }
      totals[j].textContent = totalText(total, page);
      totals[j].classList.toggle('is-over', total > page);
    }
  }

  function onInput(event) {
    var field = event.target;
    if (!field || typeof field.matches !== 'function' || !field.matches(LIMITED)) {
      return;
    }
    updateCounters(field);
    updateTotal(field.form);
  }

  function start(doc) {
    // Show the counts of text re-rendered after a failed submit straight away.
    var fields = doc.querySelectorAll(LIMITED);
    var forms = [];
    for (var i = 0; i < fields.length; i++) {
      updateCounters(fields[i]);
      if (fields[i].form && forms.indexOf(fields[i].form) < 0) {
        forms.push(fields[i].form);
      }
    }
    for (var j = 0; j < forms.length; j++) {
      updateTotal(forms[j]);
    }
    // One delegated listener also covers milestone rows added later.
    doc.addEventListener('input', onInput);
  }

  var api = { countWords: countWords, counterText: counterText, totalText: totalText, start: start };

  if (root && root.document) {
    root.cocreate = api;
    if (root.document.readyState === 'loading') {
      root.document.addEventListener('DOMContentLoaded', function () { start(root.document); });
    } else {
      start(root.document);
    }
  }
  if (typeof module !== 'undefined' && module.exports) {
    module.exports = api;
  }
})(typeof window !== 'undefined' ? window : null);

/*
 * Autosave for the concept-note form (participant's note pages).
 *
 * Markup contract: <form data-autosave="/api/v1/notes/ID"> holding the note
 * fields, a hidden <input data-note-version name="version">, the csrf_token
 * input, and an element [data-autosave-status] for messages.
 *
 * A few seconds after the participant stops typing, the form's fields are
 * sent as JSON (PUT, the same operation as Save draft). It never changes what
 * is typed: on any failure the text stays on the page and the status says
 * what was not saved and what to do. Save draft and the other buttons keep
 * working as plain form posts; a post waits for an autosave in flight so both
 * do not race on the same version.
 */
(function (root) {
  'use strict';
  if (!root || !root.document || typeof root.fetch !== 'function' || typeof JSON === 'undefined') {
    return;
  }
  var doc = root.document;
  var TEXT = ['title', 'summary', 'problem', 'commitment', 'change', 'values_explanation',
    'lead_agency', 'partners', 'policy_area', 'resources', 'conflict_declaration'];
  var QUIET_MS = 4000;

  function value(form, name) {
    var el = form.elements.namedItem(name);
    return el && typeof el.value === 'string' ? el.value : '';
  }

  function body(form) {
    var b = {};
    for (var i = 0; i < TEXT.length; i++) {
      b[TEXT[i]] = value(form, TEXT[i]);
    }
    b.values = [];
    var boxes = form.querySelectorAll('input[type=checkbox][name=values]');
    for (var j = 0; j < boxes.length; j++) {
      if (boxes[j].checked) {
        b.values.push(boxes[j].value);
      }
    }
    var consent = form.elements.namedItem('consent_publish');
    b.consent_publish = !!(consent && consent.checked);
    b.milestones = [];
    for (var r = 0; r < 10; r++) {
      var p = 'milestones.' + r + '.';
      if (!form.elements.namedItem(p + 'deliverable')) {
        continue;
      }
      b.milestones.push({ deliverable: value(form, p + 'deliverable'), responsible: value(form, p + 'responsible'), due: value(form, p + 'due') });
    }
    b.version = parseInt(value(form, 'version'), 10);
    return b;
  }

  function clock() {
    var d = new Date();
    var m = d.getMinutes();
    return d.getHours() + ':' + (m < 10 ? '0' : '') + m;
  }

  function start(form) {
    var status = form.querySelector('[data-autosave-status]');
    var version = form.querySelector('[data-note-version]');
    var csrf = form.elements.namedItem('csrf_token');
    var timer = null;
    var inFlight = null;
    var stopped = false;
    var dirty = false;

    function say(text) {
      if (status && status.textContent !== text) {
        status.textContent = text;
      }
    }

    function save() {
      timer = null;
      if (stopped || inFlight || !dirty) {
        return;
      }
      dirty = false;
      inFlight = root.fetch(form.getAttribute('data-autosave'), {
        method: 'PUT', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf ? csrf.value : '' },
        body: JSON.stringify(body(form))
      }).then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (data) {
          var err = (data && data.error) || {};
          if (res.ok && data.note) {
            version.value = String(data.note.version);
            say('Draft saved automatically at ' + clock() + '.');
          } else if (res.status === 401) {
            stopped = true;
            say('You have been signed out, so your latest changes are not saved. Copy your text before you sign in again.');
          } else if (err.code === 'stale_version') {
            stopped = true;
            say('Not saved automatically: this note was changed in another tab or window. Your text is still here: copy what you need, then open the latest version.');
          } else if (err.code === 'call_closed' || err.code === 'invalid_transition') {
            stopped = true;
            say('Your changes cannot be saved any more: ' + (err.message || 'the note can no longer be changed.'));
          } else {
            dirty = true;
            say('Not saved automatically: ' + (err.message || 'something went wrong.') + ' Use Save draft to see what to change.');
          }
        });
      }, function () {
        dirty = true;
        say('Could not save automatically (is the connection down?). Your text is still on this page; saving will be tried again.');
      }).then(function () {
        inFlight = null;
      });
    }

    function changed() {
      if (stopped) {
        return;
      }
      dirty = true;
      if (timer) {
        root.clearTimeout(timer);
      }
      timer = root.setTimeout(save, QUIET_MS);
    }

    form.addEventListener('input', changed);
    form.addEventListener('change', changed);
    form.addEventListener('submit', function (event) {
      if (timer) {
        root.clearTimeout(timer);
        timer = null;
      }
      stopped = true;
      if (inFlight && typeof form.requestSubmit === 'function') {
        // Post once the autosave has answered, with the version it returned.
        event.preventDefault();
        var submitter = event.submitter || null;
        inFlight.then(function () {
          inFlight = null;
          form.requestSubmit(submitter);
        });
      }
    });
  }

  function init() {
    var forms = doc.querySelectorAll('form[data-autosave]');
    for (var i = 0; i < forms.length; i++) {
      if (forms[i].querySelector('[data-note-version]')) {
        start(forms[i]);
      }
    }
  }

  if (doc.readyState === 'loading') {
    doc.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})(typeof window !== 'undefined' ? window : null);

/*
 * Classification sections: on a form marked data-class-sections, only the
 * section of the chosen class (a .class-section with data-class) is shown,
 * so the chair sees only the reasons that class allows. Without this script
 * every section shows and the server counts only the chosen class's.
 */
(function (root) {
  'use strict';
  if (!root || !root.document) {
    return;
  }
  var doc = root.document;

  function sync(form) {
    var chosen = form.querySelector('input[name="class"]:checked');
    var sections = form.querySelectorAll('.class-section[data-class]');
    for (var i = 0; i < sections.length; i++) {
      sections[i].hidden = !!chosen && sections[i].getAttribute('data-class') !== chosen.value;
    }
  }

  function init() {
    var forms = doc.querySelectorAll('form[data-class-sections]');
    for (var i = 0; i < forms.length; i++) {
      (function (form) {
        form.addEventListener('change', function (event) {
          if (event.target && event.target.name === 'class') {
            sync(form);
          }
        });
        sync(form);
      })(forms[i]);
    }
  }

  if (doc.readyState === 'loading') {
    doc.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})(typeof window !== 'undefined' ? window : null);

/*
 * Screening form (form[data-screening]): catches a contradiction before
 * submit and says so beside the field, as the server would. "Some items
 * fail" with no item ticked, or failing items with neither return nor fail
 * chosen (when both are offered), keep the form from being sent; the
 * message goes in #items-js-error or #outcome-js-error and focus moves to
 * the field. Without this script the server answers the same errors.
 */
(function (root) {
  'use strict';
  if (!root || !root.document) {
    return;
  }
  var doc = root.document;

  function say(form, id, text) {
    var el = form.querySelector('#' + id);
    if (!el) {
      return false;
    }
    el.textContent = text;
    el.hidden = !text;
    return !!text;
  }

  function check(form) {
    var some = form.querySelector('#items-some:checked') || form.classList.contains('only-fail');
    var all = form.querySelector('#items-all:checked');
    var ticked = form.querySelectorAll('input.item-fails:checked').length;
    var itemsMsg = '';
    var outcomeMsg = '';
    if (!some && !all) {
      itemsMsg = 'Choose “All eight items pass”, or “Some items fail” and tick the items that fail';
    } else if (some && ticked === 0) {
      itemsMsg = 'You chose “Some items fail”: tick the items that fail, or choose “All eight items pass”';
    } else if (some && form.querySelector('#outcome-return') && !form.querySelector('input[name="outcome"]:checked')) {
      outcomeMsg = 'Choose whether the failed items return the note for revision or fail it';
    }
    say(form, 'items-js-error', itemsMsg);
    say(form, 'outcome-js-error', outcomeMsg);
    return itemsMsg ? 'items' : (outcomeMsg ? 'outcome' : '');
  }

  function init() {
    var forms = doc.querySelectorAll('form[data-screening]');
    for (var i = 0; i < forms.length; i++) {
      (function (form) {
        form.addEventListener('submit', function (event) {
          var bad = check(form);
          if (bad) {
            event.preventDefault();
            var field = form.querySelector('#' + bad + ' input');
            if (field) {
              field.focus();
            }
          }
        });
        form.addEventListener('change', function () {
          if (!form.querySelector('#items-js-error').hidden || !(form.querySelector('#outcome-js-error') || {hidden: true}).hidden) {
            check(form);
          }
        });
      })(forms[i]);
    }
  }

  if (doc.readyState === 'loading') {
    doc.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})(typeof window !== 'undefined' ? window : null);

/**
 * Table regions: a .table-wrap[role=region] is focusable (tabindex=0) in the
 * markup so a keyboard can scroll a table wider than the screen. Where the
 * table fits, that tab stop leads nowhere: take it out, and put it back when
 * the window narrows and the table no longer fits.
 */
(function (win) {
  'use strict';
  if (!win || !win.document) {
    return;
  }
  var doc = win.document;

  function update() {
    var regions = doc.querySelectorAll('.table-wrap[role="region"]');
    for (var i = 0; i < regions.length; i++) {
      var r = regions[i];
      if (r.scrollWidth > r.clientWidth + 1) {
        r.setAttribute('tabindex', '0');
      } else if (r !== doc.activeElement) {
        r.removeAttribute('tabindex');
      }
    }
  }

  function init() {
    update();
    var pending = false;
    win.addEventListener('resize', function () {
      if (!pending) {
        pending = true;
        win.requestAnimationFrame(function () { pending = false; update(); });
      }
    });
  }

  if (doc.readyState === 'loading') {
    doc.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})(typeof window !== 'undefined' ? window : null);
