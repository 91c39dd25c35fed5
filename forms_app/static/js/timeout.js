// The session-timeout warning (WCAG 2.2.1 Timing adjustable). Before the draft would be deleted
// for inactivity, a modal dialog says so and lets the user keep their answers with one button;
// Escape does the same. Without JavaScript the page states the time in words instead, and every
// page they continue from keeps the answers for another full window.
const dialog = document.getElementById('sf-timeout')

function clock (date, lang) {
  const hours = date.getHours() % 12 || 12
  const minutes = date.getMinutes()
  const suffix = date.getHours() < 12 ? 'am' : 'pm'
  return minutes === 0 ? `${hours}${suffix}` : `${hours}:${String(minutes).padStart(2, '0')}${suffix}`
}

if (dialog && typeof dialog.showModal === 'function') {
  const form = dialog.querySelector('form')
  const text = document.getElementById('sf-timeout-text')
  const warnMs = Number(dialog.dataset.warnSeconds) * 1000
  let expiresAt = Date.parse(dialog.dataset.expiresAt)
  let warnTimer = null
  let endTimer = null
  let opener = null

  const expired = () => {
    window.location.href = dialog.dataset.deletedUrl
  }

  const show = () => {
    text.textContent = text.dataset.template.replace('{time}', clock(new Date(expiresAt), dialog.dataset.lang))
    opener = document.activeElement
    if (!dialog.open) dialog.showModal()
  }

  const schedule = () => {
    window.clearTimeout(warnTimer)
    window.clearTimeout(endTimer)
    const now = Date.now()
    warnTimer = window.setTimeout(show, Math.max(0, expiresAt - warnMs - now))
    endTimer = window.setTimeout(expired, Math.max(0, expiresAt - now))
  }

  const keep = async () => {
    try {
      const response = await window.fetch(form.action, {
        method: 'POST',
        body: new window.FormData(form),
        headers: { Accept: 'application/json' },
        credentials: 'same-origin'
      })
      if (!response.ok) return expired()
      const result = await response.json()
      expiresAt = Date.parse(result.expires_at)
      const words = document.querySelector('[data-sf-expiry-text]')
      if (words && result.text) words.textContent = result.text
      dialog.close()
      if (opener && typeof opener.focus === 'function') opener.focus()
      schedule()
    } catch (error) {
      // Offline: let the form post normally, which also keeps the answers.
      form.submit()
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault()
    keep()
  })
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault()
    keep()
  })
  schedule()
}
