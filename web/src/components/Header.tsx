import { setLang, useI18n, type Lang } from '../i18n';
import { Link } from './Link';

export function Header({ path }: { path: string }) {
  const { lang, t } = useI18n();
  return (
    <header class="site-header">
      <a class="skip" href="#content">
        {t('nav.skip')}
      </a>
      <Link href="/" class="logo" aria-label="liboo">
        <span class="logo-mark" aria-hidden="true">▶</span> liboo
      </Link>
      <nav aria-label="main">
        <Link href="/" aria-current={path === '/' ? 'page' : undefined}>
          {t('nav.home')}
        </Link>
        <Link href="/host" data-testid="nav-studio" aria-current={path === '/host' ? 'page' : undefined}>
          {t('nav.studio')}
        </Link>
        <Link href="/organize" data-testid="nav-organize" aria-current={path.startsWith('/organize') ? 'page' : undefined}>
          {t('nav.organize')}
        </Link>
      </nav>
      <label class="lang">
        <span class="sr-only">{t('nav.language')}</span>
        <select
          value={lang}
          data-testid="lang-select"
          onChange={(e) => setLang((e.target as HTMLSelectElement).value as Lang)}
        >
          <option value="ko">한국어</option>
          <option value="en">English</option>
        </select>
      </label>
    </header>
  );
}
