// How the browser suites (tests/player, tests/web) start Debian's Chromium headless:
// see ../shared/FIELD_NOTES.md for why each flag is there on this machine.
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export const launchOptions = {
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--autoplay-policy=no-user-gesture-required'],
};
