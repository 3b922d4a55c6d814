import { LoginScreen } from '@/features/auth/LoginScreen';

export default LoginScreen;
