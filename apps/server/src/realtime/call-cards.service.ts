import { Injectable } from '@nestjs/common';
import type { CompanyCard, UserCard } from '@app/contracts';
import { CompaniesService } from '../companies';
import { UsersService } from '../users';
import { CardCache } from './card-cache';

const CARD_TTL_MS = 30_000;
const CARDS_KEPT = 10_000;

/** The company and user cards call pushes carry. */
@Injectable()
export class CallCardsService {
  private readonly companyCards: CardCache<CompanyCard>;
  private readonly userCards: CardCache<UserCard>;

  constructor(companies: CompaniesService, users: UsersService) {
    this.companyCards = new CardCache((ids) => companies.cards(ids), CARD_TTL_MS, CARDS_KEPT);
    this.userCards = new CardCache((ids) => users.cards(ids), CARD_TTL_MS, CARDS_KEPT);
  }

  company(id: string | null): Promise<CompanyCard | null> {
    return this.companyCards.get(id);
  }

  companies(ids: string[]): Promise<Map<string, CompanyCard>> {
    return this.companyCards.getMany(ids.map(Number));
  }

  user(id: string | null): Promise<UserCard | null> {
    return this.userCards.get(id);
  }
}
