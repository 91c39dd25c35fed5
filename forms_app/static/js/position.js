// Optional map position for a location question: only offered when JavaScript and the device's
// location are available. The description and postcode always work on their own.
for (const block of document.querySelectorAll('[data-module="sf-position"]')) {
  if (!('geolocation' in navigator)) continue
  const latitude = block.querySelector('[data-position="latitude"]')
  const longitude = block.querySelector('[data-position="longitude"]')
  const status = block.querySelector('.sf-position__status')
  const use = block.querySelector('[data-position="use"]')
  const clear = block.querySelector('[data-position="clear"]')
  block.hidden = false

  use.addEventListener('click', () => {
    navigator.geolocation.getCurrentPosition(
      (position) => {
        latitude.value = position.coords.latitude.toFixed(6)
        longitude.value = position.coords.longitude.toFixed(6)
        status.textContent = status.dataset.textSaved
        clear.hidden = false
      },
      () => {
        status.textContent = status.dataset.textFailed
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    )
  })

  clear.addEventListener('click', () => {
    latitude.value = ''
    longitude.value = ''
    status.textContent = ''
    clear.hidden = true
    use.focus()
  })
}
