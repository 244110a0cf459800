/** Topics: length, groups with lag, pending and dead letters. */
import { ErrorLine } from '../../components/ui.js';
import { useTopics } from '../../hooks/resources.js';
import { href } from '../../router.js';

export function TopicTable() {
  const { data, error } = useTopics();
  return (
    <>
      <ErrorLine error={error} />
      <table class="topics">
        <thead>
          <tr>
            <th>topic</th>
            <th>length</th>
            <th>groups</th>
            <th>lag</th>
            <th>pending</th>
            <th>dead letters</th>
          </tr>
        </thead>
        <tbody>
          {(data?.topics ?? []).map((t) => (
            <tr key={t.name} data-topic={t.name}>
              <td>
                <a href={href.topic(t.name)}>{t.name}</a>
              </td>
              <td>{t.length}</td>
              <td>{t.groups.length}</td>
              <td>{t.groups.reduce((a, g) => a + g.lag, 0)}</td>
              <td>{t.groups.reduce((a, g) => a + g.pending, 0)}</td>
              <td class={t.groups.some((g) => g.deadLetters > 0) ? 'bad' : ''}>
                {t.groups.reduce((a, g) => a + g.deadLetters, 0)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function Topics() {
  return (
    <div class="page topics">
      <h1>Topics</h1>
      <TopicTable />
    </div>
  );
}
