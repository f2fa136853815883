// Package browsertest drives the real pages in headless Chromium: the
// page's word count against the server's, the live counters, one-page
// printing on A4 and Letter, and the form without JavaScript. The tests skip
// when no Chromium or Chrome is installed, and fail instead under CI=true.
//
// It is a package of its own so that the browser driver is needed only here.
package browsertest
