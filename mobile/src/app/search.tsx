import { SearchScreen } from '@/features/search/SearchScreen';

export default SearchScreen;
