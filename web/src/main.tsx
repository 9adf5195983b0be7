/** Entry point of the dashboard. */
import { render } from 'preact';
import { App } from './app.js';
import './styles.css';

performance.mark('swarmlab:boot');
render(<App />, document.getElementById('app')!);
