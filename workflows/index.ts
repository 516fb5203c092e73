export { applicationWorkflow } from './application';
export { calendarBroadcastWorkflow } from './calendar-broadcast';
