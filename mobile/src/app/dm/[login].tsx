import { useLocalSearchParams } from 'expo-router';

import { PrivateThreadScreen } from '@/features/users/PrivateThreadScreen';

export function PrivateThreadRoute() {
  const { login } = useLocalSearchParams<{ login: string }>();
  return <PrivateThreadScreen peer={String(login ?? '').toLowerCase()} />;
}

export default PrivateThreadRoute;
