import { greeting } from './greeting.js';

const app = document.querySelector('#app');
if (app) app.textContent = greeting();
