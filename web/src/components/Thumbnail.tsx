import { useState } from 'preact/hooks';
import { useI18n } from '../i18n';

/** A broadcast's image, or a placeholder when it has none or it fails to load. */
export function Thumbnail({ src, title }: { src?: string | null; title: string }) {
  const { t } = useI18n();
  const [broken, setBroken] = useState(false);
  if (!src || broken) {
    return (
      <div class="thumb placeholder" role="img" aria-label={t('common.noThumbnail')}>
        <span aria-hidden="true">▶</span>
      </div>
    );
  }
  return <img class="thumb" src={src} alt={t('common.thumbnailOf', { title })} loading="lazy" onError={() => setBroken(true)} />;
}
