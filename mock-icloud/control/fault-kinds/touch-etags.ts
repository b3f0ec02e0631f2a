import { calendarOf, defineFaultKind } from './define.js';

export const touchEtags = defineFaultKind({
  name: 'touch-etags',
  doc: "every event in the calendar (`match.calendar`, else the request's) gets a new etag, content unchanged",
  params: {},
  apply({ rule, facts, outcome }) {
    const calendar = rule.match?.calendar ?? calendarOf(facts.path);
    if (calendar) outcome.touchCalendar = { account: facts.account, calendar };
  },
});
