import { RoomsScreen } from '@/features/rooms/RoomsScreen';

export default RoomsScreen;
