import { Header } from './components/Header';
import { useI18n } from './i18n';
import { HostPage } from './pages/Host';
import { Home } from './pages/Home';
import { LivePage } from './pages/Live';
import { NotFound } from './pages/NotFound';
import { ReplayPage } from './pages/Replay';
import { parseRoute, usePath } from './router';

export function App() {
  const path = usePath();
  const { t } = useI18n();
  const route = parseRoute(path);
  let page;
  switch (route.page) {
    case 'home':
      page = <Home />;
      break;
    case 'live':
      page = <LivePage key={route.id} id={route.id} />;
      break;
    case 'replay':
      page = <ReplayPage key={route.id} id={route.id} />;
      break;
    case 'host':
      page = <HostPage />;
      break;
    default:
      page = <NotFound />;
  }
  return (
    <>
      <Header path={path} />
      <main id="content" tabIndex={-1}>
        {page}
      </main>
      <footer class="site-footer">{t('footer.text')}</footer>
    </>
  );
}
