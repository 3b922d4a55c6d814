// The system pickers, as files to upload: photos from the library (expo-image-picker) and any
// document (expo-document-picker). On the web both open a file input and give a File, which
// FormData takes as it is; on a phone FormData takes `{uri, name, type}` and streams the file.
import { MAX_ATTACHMENTS, type UploadInput } from '@sala/sdk';
import { getDocumentAsync } from 'expo-document-picker';
import { launchImageLibraryAsync } from 'expo-image-picker';
import { Platform } from 'react-native';

/** What both pickers give for one file. */
interface PickedAsset {
  uri: string;
  name: string;
  size?: number;
  mimeType?: string;
  file?: File;
}

/** A picked file as an upload: the web's File, or the phone's file by its uri. */
export function uploadInput(a: PickedAsset): UploadInput {
  const type = a.mimeType ?? a.file?.type ?? 'application/octet-stream';
  const size = a.size ?? a.file?.size ?? 0;
  const data = Platform.OS === 'web' && a.file ? a.file : { uri: a.uri, name: a.name, type };
  return { name: a.name, size, type, data };
}

/** Photos from the library ([] when the person cancelled). */
export async function pickImages(): Promise<UploadInput[]> {
  const result = await launchImageLibraryAsync({
    mediaTypes: ['images'],
    allowsMultipleSelection: true,
    selectionLimit: MAX_ATTACHMENTS,
    quality: 1,
  });
  if (result.canceled) return [];
  return result.assets.map((a, i) =>
    uploadInput({
      uri: a.uri,
      name: a.fileName ?? a.file?.name ?? `photo-${i + 1}.${extensionOf(a.mimeType)}`,
      size: a.fileSize,
      mimeType: a.mimeType,
      file: a.file,
    }),
  );
}

/** Any files ([] when the person cancelled). */
export async function pickDocuments(): Promise<UploadInput[]> {
  const result = await getDocumentAsync({ multiple: true, copyToCacheDirectory: true });
  if (result.canceled) return [];
  return result.assets.map((a) => uploadInput(a));
}

function extensionOf(mimeType: string | undefined): string {
  const sub = mimeType?.split('/')[1];
  return sub === 'jpeg' ? 'jpg' : (sub ?? 'jpg');
}
