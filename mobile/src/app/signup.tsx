import { SignupScreen } from '@/features/auth/SignupScreen';

export default SignupScreen;
