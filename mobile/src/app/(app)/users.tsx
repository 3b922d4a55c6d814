import { UsersScreen } from '@/features/users/UsersScreen';

export default UsersScreen;
