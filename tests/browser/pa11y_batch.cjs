// pa11y itself (its Node API and default runner, HTML_CodeSniffer) on several URLs, sharing one
// Chromium, its pages side by side, rather than one Chromium per URL as its command line does.
// Usage: node pa11y_batch.cjs OPTIONS.json URL...
// OPTIONS.json holds pa11y's options (chromeLaunchConfig, viewport, standard, timeout).
// Prints one JSON object: each URL with the issues pa11y's json reporter would print for it.
"use strict";
const fs = require("node:fs");
const pa11y = require("pa11y");
const puppeteer = require("puppeteer");

async function main([optionsFile, ...urls]) {
  const options = JSON.parse(fs.readFileSync(optionsFile, "utf8"));
  const browser = await puppeteer.launch(options.chromeLaunchConfig);
  const found = {};
  try {
    // Side by side: each page waits for the network to idle (networkidle2), and those waits overlap.
    const results = await Promise.all(urls.map(url => pa11y(url, { ...options, browser })));
    urls.forEach((url, index) => { found[url] = results[index].issues; });
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(found));
}

main(process.argv.slice(2)).catch(error => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
