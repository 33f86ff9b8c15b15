import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium, driven by playwright-core. */
const CHROMIUM = '/usr/bin/chromium';

/**
 * Real Chromium as an installer's phone: 390×844, touch, the given locale, a throwaway profile.
 * Closed (and its profile removed) at the test's teardown.
 */
export async function phone(t: { teardown(fn: () => unknown): void }, locale = 'zh-CN'): Promise<{ context: BrowserContext; page: Page }> {
  const profileDir = mkdtempSync(join(tmpdir(), 'hearth-chromium-'));
  t.teardown(() => rmSync(profileDir, { recursive: true, force: true }));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale,
  });
  t.teardown(() => context.close());
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(30_000);
  return { context, page };
}
