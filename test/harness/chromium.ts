/**
 * Debian's Chromium, headless, driven by playwright-core. Fails clearly when it is missing (the
 * tests never skip for lack of it). The flags keep it off the network: this machine refuses
 * every outside connection, and Chromium's background services would try many.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Launches a headless Chromium (close it in the test's afterAll). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: scripts/ensure.sh must install Debian's chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
