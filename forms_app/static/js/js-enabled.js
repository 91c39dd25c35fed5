// Loaded as a blocking script at the start of <body>: marks the page as JavaScript-enabled
// before it is painted, which GOV.UK Frontend's styles rely on. An external file because the
// Content Security Policy allows no inline script.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
