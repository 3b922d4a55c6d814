import { useColorScheme } from 'react-native';

/** The app's two palettes; screens read them through useTheme(). */
export const palettes = {
  light: {
    text: '#11181C',
    textMuted: '#5F6B76',
    background: '#FFFFFF',
    surface: '#F1F3F5',
    border: '#D7DCE0',
    primary: '#1F6FEB',
    onPrimary: '#FFFFFF',
    danger: '#C62828',
    warning: '#B26A00',
    warningBackground: '#FFF4E0',
    ok: '#2E7D32',
    bubbleMine: '#DCEBFF',
  },
  dark: {
    text: '#ECEDEE',
    textMuted: '#9BA1A6',
    background: '#121416',
    surface: '#1E2124',
    border: '#33383D',
    primary: '#4C8DFF',
    onPrimary: '#FFFFFF',
    danger: '#FF6B6B',
    warning: '#FFB74D',
    warningBackground: '#3A2A10',
    ok: '#66BB6A',
    bubbleMine: '#1D3557',
  },
} as const;

export type Palette = { [K in keyof (typeof palettes)['light']]: string };

/** The palette for the device's color scheme. */
export function useTheme(): Palette {
  return useColorScheme() === 'dark' ? palettes.dark : palettes.light;
}

export const space = { xs: 4, sm: 8, md: 12, lg: 16, xl: 24 } as const;
