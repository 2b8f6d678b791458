// Screenshot of a generated page, for the README:
//   npx tsx test/helpers/screenshot.ts results/examples/amd-epyc-2-vcpu/site/index.html docs/leaderboard.png
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium } from './browser.js';

const [page = 'results/examples/amd-epyc-2-vcpu/site/index.html', out = 'docs/leaderboard.png'] = process.argv.slice(2);
const browser = await launchChromium();
try {
  const tab = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  await tab.goto(pathToFileURL(resolve(page)).href);
  await tab.screenshot({ path: resolve(out), fullPage: true });
  process.stderr.write(`wrote ${out}\n`);
} finally {
  await browser.close();
}
