import { Link } from '../components/Link';
import { useI18n } from '../i18n';
import { useTitle } from './title';

export function NotFound() {
  const { t } = useI18n();
  useTitle(t('notFound.title'));
  return (
    <div class="notice-page" data-testid="not-found">
      <p class="big-code" aria-hidden="true">
        404
      </p>
      <h1>{t('notFound.title')}</h1>
      <p>{t('notFound.body')}</p>
      <Link href="/" class="button">
        {t('live.home')}
      </Link>
    </div>
  );
}
