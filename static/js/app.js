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
