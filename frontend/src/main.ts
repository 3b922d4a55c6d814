import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { createAppI18n } from './i18n';
import { createAppRouter } from './router';
import { useSessionStore } from './stores/session';
import './styles/main.css';
import './styles/conversation.css';
import './styles/reads.css';
import './styles/files.css';
import './styles/search.css';

const i18n = createAppI18n();
document.documentElement.lang = i18n.global.locale.value;

const app = createApp(App).use(createPinia()).use(i18n);
const router = createAppRouter();
app.use(router);

// A restored token is checked once in the background; a 401 logs out.
void useSessionStore().refresh();

app.mount('#app');
