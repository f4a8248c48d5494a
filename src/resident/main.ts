/**
 * The resident's page, opened from a grid card's QR code in WeChat or any phone browser, with no
 * account: /r/<token> shows the team and takes a report, /r/t/<code> follows it.
 */
import { cardPage } from './card.ts';
import './resident.css';
import { trackPage } from './track.ts';

const path = location.pathname.split('/').filter((part) => part !== '');
if (path[0] === 'r' && path[1] === 't' && path[2]) void trackPage(decodeURIComponent(path[2]));
else if (path[0] === 'r' && path[1]) void cardPage(decodeURIComponent(path[1]));
