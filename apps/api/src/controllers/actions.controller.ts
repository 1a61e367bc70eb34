import { Controller, Get, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ActionCatalogue } from '@riposte/actions';
import { RequireRole } from '../http/route-metadata.js';

@ApiTags('actions')
@Controller('api/v1/actions')
export class ActionsController {
  constructor(private readonly catalogue: ActionCatalogue) {}

  @Get()
  @RequireRole('viewer')
  list() {
    return this.catalogue.list();
  }

  @Get(':id')
  @RequireRole('viewer')
  get(@Param('id') id: string) {
    const {
      id: actionId,
      title,
      description,
      inputSchema,
      requiredRoles,
      inverse,
      destructive,
      ledger,
    } = this.catalogue.get(id);
    return { id: actionId, title, description, inputSchema, requiredRoles, inverse, destructive, ledger };
  }
}
