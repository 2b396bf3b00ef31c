import { Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  limit: number;
}

/** A Swagger-documented page class for item type T (Swagger needs one concrete class per T). */
export function PageOf<T>(itemType: Type<T>): Type<Page<T>> {
  class PageDto implements Page<T> {
    @ApiProperty({ type: [itemType] })
    items: T[];

    @ApiProperty({ description: 'Number of matching records', example: 42 })
    total: number;

    @ApiProperty({ example: 1 })
    page: number;

    @ApiProperty({ example: 20 })
    limit: number;
  }
  return PageDto;
}

/** Escapes LIKE wildcards so search text is matched literally. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}
