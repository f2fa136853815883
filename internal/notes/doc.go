// Package notes holds the participant-editable fields of a concept note,
// the one definition of a word, the word limits and the rules that decide
// whether a draft may be saved and whether a note may be submitted.
//
// It is pure domain code: no HTTP, no database. Both faces of the service
// (HTML pages and the JSON API) call the same functions, so a rule lives
// here once.
//
// # What counts as a word
//
// The server enforces word limits, and the form shows a live count in the
// browser; both must agree, or a participant would see "0 words left" and
// then be refused. CountWords here and countWords in static/js/app.js
// implement this definition and run against the same table
// (testdata/wordcount.json):
//
//   - Text is split on Unicode White_Space (spaces, tabs, line breaks,
//     no-break spaces, ideographic space, …) and on the zero-width space
//     U+200B, so repeated spaces and line breaks never make words.
//   - A token is one word if it contains at least one letter (\p{L}) or
//     number (\p{N}): "state-owned", "e-mail", "3.5%", "don't", a URL and
//     an e-mail address are one word each; a lone "-", "—", "&", "•" or an
//     emoji is none.
//   - Scripts written without spaces between words are counted by
//     character: every letter or number of the Han, Hiragana or Katakana
//     script is one word on its own and also ends the word before it, so
//     "政府数据" is 4 words and "2020年" is 2. Thai, Lao, Khmer and
//     Myanmar runs are left as they are: one run between spaces is one word.
//
// Validation expects input that has been through Fields.Normalize; it never
// changes its argument.
package notes
