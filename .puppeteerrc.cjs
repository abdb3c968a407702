// pa11y brings puppeteer, which would download its own Chrome on `npm ci`; the tests and
// bench/phone.py use Debian's Chromium (/usr/bin/chromium) instead.
module.exports = { skipDownload: true };
