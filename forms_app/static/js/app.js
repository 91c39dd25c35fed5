import { initAll } from '/static/govuk/govuk-frontend.min.js'

initAll()

// GOV.UK Frontend marks a radio that reveals a follow-up question with aria-expanded, which ARIA
// does not allow on a radio (axe: aria-allowed-attr; alphagov/govuk-frontend#979). The follow-up
// sits straight after its radio, so it is read next anyway: keep aria-controls, drop the state.
const revealingRadios = document.querySelectorAll('.govuk-radios__input[aria-controls]')
const dropExpanded = (input) => input.removeAttribute('aria-expanded')
const observer = new window.MutationObserver((records) => {
  for (const record of records) {
    if (record.target.hasAttribute('aria-expanded')) dropExpanded(record.target)
  }
})
for (const input of revealingRadios) {
  dropExpanded(input)
  observer.observe(input, { attributes: true, attributeFilter: ['aria-expanded'] })
}
