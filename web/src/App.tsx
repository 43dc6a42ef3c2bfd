import { Component, type ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { Header } from './components/Header';
import { translate, getLang, useI18n } from './i18n';
import { ConferencePage } from './pages/Conference';
import { HostPage } from './pages/Host';
import { Home } from './pages/Home';
import { LivePage } from './pages/Live';
import { NotFound } from './pages/NotFound';
import { OrganizePage } from './pages/Organize';
import { OrganizeConferencePage } from './pages/OrganizeConference';
import { ReplayPage } from './pages/Replay';
import { TalkPage } from './pages/Talk';
import { InvitePage } from './pages/Invite';
import { ModeratePage } from './pages/Moderate';
import { ProjectorPage } from './pages/Projector';
import { SpeakerPage } from './pages/Speaker';
import { parseRoute, talkParam, usePath } from './router';

/** Keeps one page's failure from blanking the whole app. */
class PageBoundary extends Component<{ children: ComponentChildren }, { failed: boolean }> {
  state = { failed: false };
  componentDidCatch(error: unknown) {
    console.error(error);
    this.setState({ failed: true });
  }
  render() {
    if (!this.state.failed) return this.props.children;
    return (
      <div class="notice-page" role="alert">
        <p>{translate(getLang(), 'common.error')}</p>
        <button type="button" class="button" onClick={() => location.reload()}>
          {translate(getLang(), 'common.retry')}
        </button>
      </div>
    );
  }
}

export function App() {
  const path = usePath();
  const { t } = useI18n();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  // After an in-app navigation, move focus to the new page, as a page load would.
  useEffect(() => {
    if (first.current) first.current = false;
    else main.current?.focus({ preventScroll: true });
  }, [path]);

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
    case 'conference':
      page = <ConferencePage key={route.slug} slug={route.slug} />;
      break;
    case 'talk':
      page = <TalkPage key={route.id} id={route.id} />;
      break;
    case 'organize':
      page = <OrganizePage />;
      break;
    case 'organizeConference':
      page = <OrganizeConferencePage key={route.slug} slug={route.slug} />;
      break;
    case 'moderate':
      page = <ModeratePage key={route.id + location.search} roomId={route.id} talkId={talkParam(location.search)} />;
      break;
    case 'speaker':
    case 'projector': {
      // Shown on a stage's screens: nothing but the view, no header or footer.
      const View = route.page === 'speaker' ? SpeakerPage : ProjectorPage;
      return (
        <main id="content" tabIndex={-1} ref={main} class="bare">
          <PageBoundary key={path}>
            <View key={route.id + location.search} roomId={route.id} talkId={talkParam(location.search)} />
          </PageBoundary>
        </main>
      );
    }
    case 'invite':
      page = <InvitePage />;
      break;
    default:
      page = <NotFound />;
  }
  return (
    <>
      <Header path={path} />
      <main id="content" tabIndex={-1} ref={main}>
        <PageBoundary key={path}>{page}</PageBoundary>
      </main>
      <footer class="site-footer">{t('footer.text')}</footer>
    </>
  );
}
