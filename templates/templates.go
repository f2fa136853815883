// Package templates embeds the HTML templates: layouts/, partials/ and pages/.
package templates

import "embed"

// FS holds every template file.
//
//go:embed layouts/*.html partials/*.html pages/*.html
var FS embed.FS
