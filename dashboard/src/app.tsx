/** The shell: sign-in gate, navigation, and the page of the current route. */
import { useEffect, useState } from 'preact/hooks';
import { api, setToken } from './api/client.js';
import type { Session } from './api/types.js';
import { resetStore } from './hooks/store.js';
import { JobPage } from './pages/Job/Job.js';
import { Login } from './pages/Login/Login.js';
import { Overview } from './pages/Overview/Overview.js';
import { QueuePage } from './pages/Queue/Queue.js';
import { TopicPage } from './pages/Topic/Topic.js';
import { Topics } from './pages/Topics/Topics.js';
import { CanAct } from './role.js';
import { href, useRoute, type Route } from './router.js';

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'queue':
      return <QueuePage key={route.queue} queue={route.queue} params={route.params} />;
    case 'job':
      return <JobPage key={route.id} queue={route.queue} id={route.id} />;
    case 'topics':
      return <Topics />;
    case 'topic':
      return <TopicPage key={route.topic} topic={route.topic} />;
    default:
      return <Overview />;
  }
}

export function App() {
  const route = useRoute();
  const [session, setSession] = useState<Session | null>();
  useEffect(() => {
    // With no secret configured the server lets every caller in: skip the sign-in then.
    api.session().then(setSession, () => setSession(null));
  }, []);
  if (session === undefined) return <p class="page">connecting…</p>;
  if (session === null) return <Login onLogin={setSession} />;
  return (
    <CanAct.Provider value={session.role === 'admin'}>
      <header class="top">
        <a class="brand" href={href.overview()}>
          Sluice
        </a>
        <nav>
          <a href={href.overview()}>Overview</a>
          <a href={href.topics()}>Topics</a>
        </nav>
        <span class="who" data-role={session.role}>
          {session.subject ?? ''} {session.role}
          {session.authEnabled && (
            <button
              onClick={() => {
                setToken(undefined);
                resetStore();
                setSession(null);
              }}
            >
              Sign out
            </button>
          )}
        </span>
      </header>
      <main>
        <Page route={route} />
      </main>
    </CanAct.Provider>
  );
}
